//! Establishments and associations.

use salle::domain::Aggregate;
use salle::domain::association::{self, Association, AssociationCommand, parse_identifier};
use salle::domain::establishment::{self, Establishment, EstablishmentCommand, RegisterEstablishment};
use salle_events::catalog::association::{LegalIdentifier, RequesterCategory};
use salle_events::catalog::establishment::{EstablishmentKind, LegalBasis};
use uuid::Uuid;

use super::fixtures::*;

fn register(kind: EstablishmentKind, uai: Option<&str>) -> EstablishmentCommand {
    EstablishmentCommand::Register(RegisterEstablishment {
        establishment_id: Uuid::from_u128(2),
        name: "Collège Marcel Bouvier".into(),
        kind,
        uai: uai.map(str::to_owned),
        address: "350 rue d'Italie".into(),
        commune_insee: "38001".into(),
        lat: 45.536626,
        lon: 5.59023,
        legal_basis: Some(LegalBasis::RegieDeRecettes {
            deliberation_ref: "CA-2026-14".into(),
            deliberation_date: d("2026-06-30"),
        }),
        now: now(),
    })
}

fn registered() -> Establishment {
    Establishment::fold(
        &establishment::decide(
            &Establishment::default(),
            register(EstablishmentKind::College, Some("0380001V")),
        )
        .unwrap(),
    )
}

#[test]
fn a_college_is_registered_with_its_uai_and_legal_basis() {
    let e = registered();
    assert_eq!(e.uai.as_deref(), Some("0380001V"));
    assert!(e.is_active());
    assert!(matches!(e.legal_basis, Some(LegalBasis::RegieDeRecettes { .. })));
}

#[test]
fn a_college_without_a_uai_is_refused() {
    let err = establishment::decide(&Establishment::default(), register(EstablishmentKind::College, None))
        .unwrap_err();
    assert_eq!(err.code, "uai_required");
}

#[test]
fn a_uai_with_a_wrong_key_is_refused() {
    let err = establishment::decide(
        &Establishment::default(),
        register(EstablishmentKind::College, Some("0380001A")),
    )
    .unwrap_err();
    assert_eq!(err.code, "invalid_uai");
}

#[test]
fn a_gymnasium_needs_no_uai() {
    assert!(
        establishment::decide(&Establishment::default(), register(EstablishmentKind::Gymnasium, None))
            .is_ok()
    );
}

#[test]
fn an_establishment_is_registered_once() {
    let err = establishment::decide(&registered(), register(EstablishmentKind::College, Some("0380001V")))
        .unwrap_err();
    assert_eq!(err.code, "establishment_exists");
}

#[test]
fn a_suspended_establishment_is_inactive_until_reactivated() {
    let e = registered();
    let suspended = then_e(e, EstablishmentCommand::Suspend { reason: "Travaux".into(), now: now() });
    assert!(!suspended.is_active());
    assert_eq!(
        establishment::decide(&suspended, EstablishmentCommand::Suspend { reason: "x".into(), now: now() })
            .unwrap_err()
            .code,
        "already_suspended"
    );
    let back = then_e(suspended, EstablishmentCommand::Reactivate { now: now() });
    assert!(back.is_active());
}

#[test]
fn managers_are_assigned_once_and_removed() {
    let manager = Uuid::from_u128(50);
    let e = then_e(registered(), EstablishmentCommand::AssignManager { user_id: manager });
    assert!(e.is_managed_by(manager));
    assert_eq!(
        establishment::decide(&e, EstablishmentCommand::AssignManager { user_id: manager }).unwrap_err().code,
        "already_manager"
    );
    let e = then_e(e, EstablishmentCommand::RemoveManager { user_id: manager });
    assert!(!e.is_managed_by(manager));
}

#[test]
fn a_payout_account_is_a_provider_reference() {
    let ok = then_e(
        registered(),
        EstablishmentCommand::SetPayoutAccount { account_ref: "acct_1Nv0FGQ9RKHgCVdK".into() },
    );
    assert_eq!(ok.payout_account.as_deref(), Some("acct_1Nv0FGQ9RKHgCVdK"));
    let err = establishment::decide(
        &registered(),
        EstablishmentCommand::SetPayoutAccount { account_ref: "FR76 3000".into() },
    )
    .unwrap_err();
    assert_eq!(err.code, "invalid_payout_account");
}

fn then_e(e: Establishment, command: EstablishmentCommand) -> Establishment {
    let events = establishment::decide(&e, command).unwrap();
    events.iter().fold(e, |s, ev| s.evolve(ev))
}

#[test]
fn an_association_gives_exactly_one_valid_identifier() {
    assert_eq!(
        parse_identifier(Some("W381234567"), None).unwrap(),
        LegalIdentifier::Rna("W381234567".into())
    );
    assert_eq!(
        parse_identifier(None, Some("223 800 012")).unwrap(),
        LegalIdentifier::Siren("223800012".into())
    );
    assert_eq!(
        parse_identifier(None, Some("22380001200013")).unwrap(),
        LegalIdentifier::Siret("22380001200013".into())
    );
    assert_eq!(parse_identifier(None, None).unwrap_err().code, "identifier_required");
    assert_eq!(
        parse_identifier(Some("W381234567"), Some("22380001200013")).unwrap_err().code,
        "two_identifiers"
    );
    let bad = parse_identifier(None, Some("22380001200012")).unwrap_err();
    assert_eq!(bad.code, "invalid_siret");
    assert!(bad.message.contains("clé de contrôle"), "{bad}");
}

#[test]
fn an_association_is_verified_once_by_an_admin() {
    let register = AssociationCommand::Register {
        association_id: Uuid::from_u128(7),
        name: "Chorale de Voiron".into(),
        category: RequesterCategory::LocalAssociation,
        identifier: LegalIdentifier::Rna("W381234567".into()),
        contact_id: Uuid::from_u128(8),
        now: now(),
    };
    let a = Association::fold(&association::decide(&Association::default(), register).unwrap());
    assert!(!a.verified);
    let admin = Uuid::from_u128(1);
    let a = Association::fold(
        &[
            association::decide(
                &Association::default(),
                AssociationCommand::Register {
                    association_id: Uuid::from_u128(7),
                    name: a.name.clone(),
                    category: RequesterCategory::LocalAssociation,
                    identifier: LegalIdentifier::Rna("W381234567".into()),
                    contact_id: Uuid::from_u128(8),
                    now: now(),
                },
            )
            .unwrap(),
            association::decide(
                &a,
                AssociationCommand::Verify {
                    by: admin,
                    category: RequesterCategory::LocalAssociation,
                    now: now(),
                },
            )
            .unwrap(),
        ]
        .concat(),
    );
    assert!(a.verified);
    assert_eq!(
        association::decide(
            &a,
            AssociationCommand::Verify {
                by: admin,
                category: RequesterCategory::LocalAssociation,
                now: now()
            }
        )
        .unwrap_err()
        .code,
        "already_verified"
    );
}

#[test]
fn the_verification_confirms_the_category_the_association_is_priced_at() {
    let register = AssociationCommand::Register {
        association_id: Uuid::from_u128(7),
        name: "Club d'entreprise".into(),
        category: RequesterCategory::LocalAssociation,
        identifier: LegalIdentifier::Siret("73282932000074".into()),
        contact_id: Uuid::from_u128(8),
        now: now(),
    };
    let registered = association::decide(&Association::default(), register).unwrap();
    let a = Association::fold(&registered);
    let verify = AssociationCommand::Verify {
        by: Uuid::from_u128(1),
        category: RequesterCategory::Company,
        now: now(),
    };
    let verified = association::decide(&a, verify).unwrap();
    assert!(matches!(
        verified.as_slice(),
        [salle_events::catalog::association::AssociationEvent::AssociationVerified {
            category: Some(RequesterCategory::Company),
            ..
        }]
    ));
    let a = Association::fold(&[registered, verified].concat());
    assert_eq!((a.verified, a.category), (true, Some(RequesterCategory::Company)));
    // Confirming the declared category records none: nothing changed.
    let same = AssociationCommand::Register {
        association_id: Uuid::from_u128(9),
        name: "Chorale".into(),
        category: RequesterCategory::LocalAssociation,
        identifier: LegalIdentifier::Rna("W381234567".into()),
        contact_id: Uuid::from_u128(10),
        now: now(),
    };
    let b = Association::fold(&association::decide(&Association::default(), same).unwrap());
    let verify = AssociationCommand::Verify {
        by: Uuid::from_u128(1),
        category: RequesterCategory::LocalAssociation,
        now: now(),
    };
    assert!(matches!(
        association::decide(&b, verify).unwrap().as_slice(),
        [salle_events::catalog::association::AssociationEvent::AssociationVerified { category: None, .. }]
    ));
}

#[test]
fn one_account_per_rna_or_siren_whatever_the_siret() {
    use association::registry_key;
    assert_eq!(registry_key(&LegalIdentifier::Rna("W381234567".into())), "rna:W381234567");
    assert_eq!(registry_key(&LegalIdentifier::Siren("732829320".into())), "siren:732829320");
    assert_eq!(registry_key(&LegalIdentifier::Siret("73282932000074".into())), "siren:732829320");
}
