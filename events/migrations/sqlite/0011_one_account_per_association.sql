-- One account per association: its RNA, or its SIREN (a SIRET's first nine
-- digits), is claimed in the transaction that registers it, so a second
-- sign-up with the same identifier is refused. Identifiers of associations
-- are public (the RNA and SIRENE registers), not personal data. Filled here
-- with the associations registered before; of two with one identifier, the
-- first keeps it.
CREATE TABLE association_identifiers (
    identifier     TEXT PRIMARY KEY,
    association_id TEXT NOT NULL
);

INSERT OR IGNORE INTO association_identifiers (identifier, association_id)
SELECT CASE json_extract(payload, '$.identifier.kind')
           WHEN 'rna' THEN 'rna:' || json_extract(payload, '$.identifier.value')
           ELSE 'siren:' || substr(json_extract(payload, '$.identifier.value'), 1, 9)
       END,
       json_extract(payload, '$.association_id')
FROM events
WHERE event_type = 'AssociationRegistered'
ORDER BY global_position;

-- Invitations now also bring a second person into an association's account:
-- exactly one of the establishment and the association.
CREATE TABLE invitations_v2 (
    token_hash       TEXT PRIMARY KEY,
    email            TEXT NOT NULL,
    name             TEXT NOT NULL,
    establishment_id BLOB,
    association_id   BLOB,
    invited_by       BLOB NOT NULL,
    created_at       TEXT NOT NULL,
    expires_at       TEXT NOT NULL,
    accepted_at      TEXT,
    CHECK ((establishment_id IS NULL) <> (association_id IS NULL))
);

INSERT INTO invitations_v2 (token_hash, email, name, establishment_id, association_id, invited_by, created_at, expires_at, accepted_at)
SELECT token_hash, email, name, establishment_id, NULL, invited_by, created_at, expires_at, accepted_at
FROM invitations;

DROP TABLE invitations;
ALTER TABLE invitations_v2 RENAME TO invitations;
