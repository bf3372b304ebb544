//! The notices salle sends. The booking notices follow the log (which
//! event tells whom what: `process::mail::notices`); an account may turn
//! each of them off. The security ones — confirming an address, a sign-up
//! with an address that has an account, a new password, an invitation —
//! are written by their use-cases and cannot be turned off.

use salle_web::Lang;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Notice {
    RequestReceived,
    CancelledByAssociation,
    RequestApproved,
    RequestRejected,
    BookingExpired,
    PaymentReceived,
    CancelledByEstablishment,
    RefundIssued,
    PaymentReminder,
    SlotReminder,
    MessagePosted,
    ConfirmAddress,
    SignUpAttempt,
    PasswordReset,
    Invitation,
}

impl Notice {
    /// The notices an account may turn off, managers' first.
    pub const OPTIONAL: [Notice; 11] = [
        Self::RequestReceived,
        Self::CancelledByAssociation,
        Self::RequestApproved,
        Self::RequestRejected,
        Self::BookingExpired,
        Self::PaymentReceived,
        Self::CancelledByEstablishment,
        Self::RefundIssued,
        Self::PaymentReminder,
        Self::SlotReminder,
        Self::MessagePosted,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::RequestReceived => "request_received",
            Self::CancelledByAssociation => "cancelled_by_association",
            Self::RequestApproved => "request_approved",
            Self::RequestRejected => "request_rejected",
            Self::BookingExpired => "booking_expired",
            Self::PaymentReceived => "payment_received",
            Self::CancelledByEstablishment => "cancelled_by_establishment",
            Self::RefundIssued => "refund_issued",
            Self::PaymentReminder => "payment_reminder",
            Self::SlotReminder => "slot_reminder",
            Self::MessagePosted => "message_posted",
            Self::ConfirmAddress => "confirm_address",
            Self::SignUpAttempt => "sign_up_attempt",
            Self::PasswordReset => "password_reset",
            Self::Invitation => "invitation",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::OPTIONAL.into_iter().find(|n| n.code() == code)
    }

    /// Whether an account may turn it off (security notices: never).
    pub fn optional(self) -> bool {
        Self::OPTIONAL.contains(&self)
    }

    /// Whether a manager may receive it.
    pub fn to_managers(self) -> bool {
        matches!(self, Self::RequestReceived | Self::CancelledByAssociation | Self::MessagePosted)
    }

    /// Whether an association's member may receive it (a message posted
    /// goes to whichever side did not write it).
    pub fn to_associations(self) -> bool {
        !matches!(self, Self::RequestReceived | Self::CancelledByAssociation)
    }

    /// What the preferences page calls it.
    pub fn label(self, lang: Lang) -> &'static str {
        let (fr, en) = match self {
            Self::RequestReceived => ("Une nouvelle demande arrive", "A new request arrives"),
            Self::CancelledByAssociation => ("Une association annule", "An association cancels"),
            Self::RequestApproved => ("Ma demande est approuvée", "My request is approved"),
            Self::RequestRejected => ("Ma demande est refusée", "My request is declined"),
            Self::BookingExpired => ("Ma réservation expire", "My booking expires"),
            Self::PaymentReceived => ("Mon paiement est reçu", "My payment is received"),
            Self::CancelledByEstablishment => ("L'établissement annule", "The establishment cancels"),
            Self::RefundIssued => ("Je suis remboursé", "I am refunded"),
            Self::PaymentReminder => {
                ("Mon paiement est attendu demain au plus tard", "My payment is due by tomorrow")
            }
            Self::SlotReminder => ("Mon créneau est dans deux jours", "My slot is in two days"),
            Self::MessagePosted => {
                ("On m'écrit au sujet d'une réservation", "Someone writes to me about a booking")
            }
            Self::ConfirmAddress => ("Confirmer mon adresse", "Confirm my address"),
            Self::SignUpAttempt => ("Inscription avec mon adresse", "Sign-up with my address"),
            Self::PasswordReset => ("Nouveau mot de passe", "New password"),
            Self::Invitation => ("Invitation", "Invitation"),
        };
        if lang == Lang::Fr { fr } else { en }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn security_notices_cannot_be_turned_off() {
        for n in [Notice::ConfirmAddress, Notice::SignUpAttempt, Notice::PasswordReset, Notice::Invitation] {
            assert!(!n.optional());
            assert_eq!(Notice::parse(n.code()), None);
        }
        for n in Notice::OPTIONAL {
            assert_eq!(Notice::parse(n.code()), Some(n));
        }
    }
}
