CREATE INDEX agents_org_kind ON agents(organization_id, kind, created_at);
