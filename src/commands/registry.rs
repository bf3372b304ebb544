//! Establishments, associations and tariff grids: registering them and the
//! commands on them.

use chrono::{DateTime, Utc};
use salle_events::catalog::association::{AssociationEvent, LegalIdentifier, RequesterCategory};
use salle_events::catalog::establishment::EstablishmentEvent;
use salle_events::catalog::tariff::TariffEvent;
use salle_events::{DomainEvent, EventStore, ExpectedVersion, Metadata, StreamId};
use uuid::Uuid;

use super::identifiers;
use super::personal_data::{self, Contact};
use super::{CommandError, Commands, Executed};
use crate::domain::DomainError;
use crate::domain::association::{self, Association, AssociationCommand};
use crate::domain::establishment::{self, Establishment, EstablishmentCommand};
use crate::domain::tariff::{self, PublishTariff, TariffGrid, TariffVersion};

/// The stream of the département's default tariff grid.
pub const DEPARTEMENT_TARIFF_STREAM: &str = "tariff-departement";

impl Commands {
    pub async fn establishment(&self, id: Uuid) -> Result<Establishment, CommandError> {
        Ok(self.load::<Establishment>(&Self::stream_of::<Establishment>(id)).await?.0)
    }

    pub async fn on_establishment(
        &self,
        id: Uuid,
        command: EstablishmentCommand,
        metadata: &Metadata,
    ) -> Result<Executed<EstablishmentEvent>, CommandError> {
        self.execute::<Establishment, _>(&Self::stream_of::<Establishment>(id), metadata, |state| {
            establishment::decide(state, command.clone())
        })
        .await
    }

    pub async fn association(&self, id: Uuid) -> Result<Association, CommandError> {
        Ok(self.load::<Association>(&Self::stream_of::<Association>(id)).await?.0)
    }

    /// Registers an association and its contact person in one transaction:
    /// the event carries the contact's id, the personal data table the rest.
    #[allow(clippy::too_many_arguments)]
    pub async fn register_association(
        &self,
        association_id: Uuid,
        name: &str,
        category: RequesterCategory,
        identifier: LegalIdentifier,
        contact: &Contact,
        now: DateTime<Utc>,
        metadata: &Metadata,
    ) -> Result<Uuid, CommandError> {
        let contact_id = Uuid::now_v7();
        let command = AssociationCommand::Register {
            association_id,
            name: name.to_owned(),
            category,
            identifier: identifier.clone(),
            contact_id,
            now,
        };
        let events = association::decide(&Association::default(), command)?;
        let new_events = events.iter().map(|e| e.to_new_event(metadata)).collect::<Result<Vec<_>, _>>()?;
        let stream = Self::stream_of::<Association>(association_id);
        let mut tx = self.store.begin().await?;
        match tx.append(&stream, ExpectedVersion::NoStream, new_events).await {
            Ok(_) => {}
            Err(salle_events::AppendError::Conflict(c)) => return Err(CommandError::Conflict(c)),
            Err(salle_events::AppendError::Store(e)) => return Err(e.into()),
        }
        // Dropping the transaction undoes the append: both or neither.
        if !identifiers::claim(&mut tx, &association::registry_key(&identifier), association_id).await? {
            return Err(DomainError::conflict(
                "association_registered",
                format!(
                    "Une association de numéro {identifier} a déjà un compte sur salle : demandez à la personne \
                     qui l'a ouvert de vous inviter depuis sa page « Mon association »."
                ),
            )
            .into());
        }
        personal_data::insert(&mut tx, contact_id, contact, now).await?;
        tx.commit().await?;
        Ok(contact_id)
    }

    pub async fn on_association(
        &self,
        id: Uuid,
        command: AssociationCommand,
        metadata: &Metadata,
    ) -> Result<Executed<AssociationEvent>, CommandError> {
        self.execute::<Association, _>(&Self::stream_of::<Association>(id), metadata, |state| {
            association::decide(state, command.clone())
        })
        .await
    }

    fn tariff_stream(establishment_id: Option<Uuid>) -> StreamId {
        match establishment_id {
            Some(id) => Self::stream_of::<TariffGrid>(id),
            // A constant of letters and '-': always a valid stream id.
            None => StreamId::parse(DEPARTEMENT_TARIFF_STREAM)
                .unwrap_or_else(|_| Self::stream_of::<TariffGrid>(Uuid::nil())),
        }
    }

    /// Publishes a new version of an establishment's grid, or of the
    /// département's default grid (`None`).
    pub async fn publish_tariff(
        &self,
        establishment_id: Option<Uuid>,
        command: PublishTariff,
        metadata: &Metadata,
    ) -> Result<Executed<TariffEvent>, CommandError> {
        self.execute::<TariffGrid, _>(&Self::tariff_stream(establishment_id), metadata, |grid| {
            tariff::decide_publish(grid, command.clone())
        })
        .await
    }

    /// The grid that prices this establishment's rooms: its own, or the département's.
    pub async fn tariff_for(&self, establishment_id: Uuid) -> Result<Option<TariffVersion>, CommandError> {
        let (own, _) = self.load::<TariffGrid>(&Self::tariff_stream(Some(establishment_id))).await?;
        if let Some(current) = own.current() {
            return Ok(Some(current.clone()));
        }
        let (default, _) = self.load::<TariffGrid>(&Self::tariff_stream(None)).await?;
        Ok(default.current().cloned())
    }
}
