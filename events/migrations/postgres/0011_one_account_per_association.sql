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

INSERT INTO association_identifiers (identifier, association_id)
SELECT CASE payload->'identifier'->>'kind'
           WHEN 'rna' THEN 'rna:' || (payload->'identifier'->>'value')
           ELSE 'siren:' || substr(payload->'identifier'->>'value', 1, 9)
       END,
       payload->>'association_id'
FROM events
WHERE event_type = 'AssociationRegistered'
ORDER BY global_position
ON CONFLICT DO NOTHING;

-- Invitations now also bring a second person into an association's account:
-- exactly one of the establishment and the association.
ALTER TABLE invitations ALTER COLUMN establishment_id DROP NOT NULL;
ALTER TABLE invitations ADD COLUMN association_id UUID;
ALTER TABLE invitations ADD CONSTRAINT invitations_one_target
    CHECK ((establishment_id IS NULL) <> (association_id IS NULL));
