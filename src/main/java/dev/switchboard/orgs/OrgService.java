package dev.switchboard.orgs;

import dev.switchboard.common.ApiException;
import dev.switchboard.common.Ids;
import dev.switchboard.common.Principal;
import dev.switchboard.common.Times;
import dev.switchboard.storage.Db;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Organizations, API keys and authentication. */
public final class OrgService {

    public record CreatedKey(String id, String name, String apiKey, boolean isAdmin, String organizationId, String createdAt) {}

    public record KeyInfo(String id, String name, String keyPrefix, boolean isAdmin, String createdAt) {}

    public record CreatedOrganization(String id, String name, String apiKey, String createdAt) {}

    /** What bootstrapping produced: the key to print once, when one was generated. */
    public record Bootstrap(String organizationId, Optional<String> generatedKey) {}

    private final OrgStore store;
    private final Ids ids;
    private final Clock clock;
    // Authentication is on every request: keep known keys in memory. A deleted key is evicted at once on this node.
    private final ConcurrentHashMap<String, Principal> byHash = new ConcurrentHashMap<>();

    public OrgService(Db db, Ids ids, Clock clock) {
        this.store = new OrgStore(db);
        this.ids = ids;
        this.clock = clock;
    }

    /**
     * Makes sure the default organization and an admin key exist. A key from the environment is added when it is
     * new; with none given and none stored, one is generated and returned so the caller can print it once.
     */
    public Bootstrap bootstrap(Optional<String> configuredKey) {
        String orgId = store.defaultOrganizationId().orElseGet(() -> {
            String id = ids.next();
            store.insertOrganization(id, "default", Times.now(clock));
            return id;
        });
        if (configuredKey.isPresent()) {
            String hash = ApiKeys.hash(configuredKey.get());
            if (store.keyByHash(hash).isEmpty()) {
                store.insertKey(new OrgStore.KeyRow(ids.next(), orgId, "bootstrap", ApiKeys.prefix(configuredKey.get()),
                        true, Times.now(clock)), hash);
            }
            return new Bootstrap(orgId, Optional.empty());
        }
        if (store.anyAdminKey()) {
            return new Bootstrap(orgId, Optional.empty());
        }
        String key = ApiKeys.generate();
        store.insertKey(new OrgStore.KeyRow(ids.next(), orgId, "bootstrap", ApiKeys.prefix(key), true, Times.now(clock)),
                ApiKeys.hash(key));
        return new Bootstrap(orgId, Optional.of(key));
    }

    public Optional<Principal> authenticate(String apiKey) {
        String hash = ApiKeys.hash(apiKey);
        Principal cached = byHash.get(hash);
        if (cached != null) {
            return Optional.of(cached);
        }
        Optional<Principal> found = store.keyByHash(hash)
                .map(k -> new Principal(k.id(), k.organizationId(), k.admin()));
        found.ifPresent(p -> byHash.put(hash, p));
        return found;
    }

    public CreatedOrganization createOrganization(String name) {
        String orgId = ids.next();
        String key = ApiKeys.generate();
        String now = Times.now(clock);
        store.insertOrganizationWithKey(orgId, name, now,
                new OrgStore.KeyRow(ids.next(), orgId, "default", ApiKeys.prefix(key), false, now), ApiKeys.hash(key));
        return new CreatedOrganization(orgId, name, key, now);
    }

    public CreatedKey createKey(Principal caller, String name) {
        String key = ApiKeys.generate();
        var row = new OrgStore.KeyRow(ids.next(), caller.organizationId(), name, ApiKeys.prefix(key), false, Times.now(clock));
        store.insertKey(row, ApiKeys.hash(key));
        return new CreatedKey(row.id(), row.name(), key, false, row.organizationId(), row.createdAt());
    }

    public List<KeyInfo> listKeys(Principal caller) {
        return store.keys(caller.organizationId()).stream()
                .map(k -> new KeyInfo(k.id(), k.name(), k.prefix(), k.admin(), k.createdAt()))
                .toList();
    }

    public void deleteKey(Principal caller, String keyId) {
        if (!store.deleteKey(caller.organizationId(), keyId)) {
            throw new ApiException.NotFound("API key not found");
        }
        byHash.values().removeIf(p -> p.keyId().equals(keyId));
    }
}
