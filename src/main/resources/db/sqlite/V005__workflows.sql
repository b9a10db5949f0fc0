-- Workflows are stored as agents are (drafts, deployed versions), told apart by agents.kind ('agent' | 'workflow',
-- there since V001), as xpander's workflows are agents of type "orchestration". Lists filter by kind.
CREATE INDEX agents_org_kind ON agents(organization_id, kind, created_at);
