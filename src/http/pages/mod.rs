//! The pages, one file per resource. They work without JavaScript; every
//! form carries a CSRF token and is read one way ([`form`]); nothing changes
//! on GET. Each handler parses, calls a use-case of [`crate::app`] (the same
//! as the API's, so the same checks apply) and renders a view of
//! `salle-web`. A refusal is a page, in the visitor's words.
//!
//! - [`visitor`]: who is looking (session, form token, language), page answers and errors.
//! - [`signed_in`], [`form`]: extractors for a signed-in visitor and a posted form.
//! - [`labels`]: what the pages call things, and local dates.
//! - [`search`], [`rooms`]: the search, a room's and an establishment's public pages.
//! - [`session`]: sign in and out, an association's sign-up and its confirmation.
//! - [`account`]: a forgotten password; what an account is told by e-mail (`/compte`).
//! - [`association`]: an association's own page and the invitation of its members.
//! - [`bookings`], [`request`], [`receipt`]: bookings, a request (and a series' preview), a receipt.
//! - [`ledger`], [`reconciliation`]: the ledgers, exports and reconciliation.
//! - [`manage_establishments`], [`manage_rooms`]: the managers' pages;
//!   [`establishment_admin`]: an admin's decisions on an establishment.
//! - [`admin`]: the admins' page and the invited manager's.
//! - [`simulated`]: the simulated payment provider's pages.
//! - [`assets`], [`info`]: static files; the legal notice and accessibility statement.

pub mod account;
pub mod admin;
pub mod assets;
pub mod association;
pub mod bookings;
pub mod establishment_admin;
pub mod form;
pub mod info;
pub mod labels;
pub mod ledger;
pub mod manage_establishments;
pub mod manage_rooms;
pub mod receipt;
pub mod reconciliation;
pub mod request;
pub mod rooms;
pub mod search;
pub mod session;
pub mod signed_in;
pub mod simulated;
pub mod visitor;

pub use visitor::{PageError, SESSION_COOKIE, Visitor};

/// Every page, in the order they are matched.
pub fn routes(cfg: &mut actix_web::web::ServiceConfig) {
    cfg.service(simulated::simulated_onboarding)
        .service(simulated::simulated_onboarding_done)
        .service(simulated::simulated_checkout)
        .service(simulated::simulated_outcome)
        .service(assets::stylesheet)
        .service(assets::map_script)
        .service(assets::leaflet)
        .service(search::home)
        .service(rooms::room_page)
        .service(session::sign_in_page)
        .service(session::sign_in)
        .service(session::sign_out)
        .service(session::sign_up_page)
        .service(session::sign_up)
        .service(session::confirm_page)
        .service(session::confirm)
        .service(account::forgot_page)
        .service(account::forgot)
        .service(account::new_password_page)
        .service(account::new_password)
        .service(account::account_page)
        .service(account::save_account)
        .service(account::new_agenda)
        .service(account::revoke_agenda)
        .service(association::association_page)
        .service(association::invite_member)
        .service(bookings::bookings_page)
        .service(request::request)
        .service(bookings::booking_page)
        .service(receipt::receipt_page)
        .service(receipt::booking_calendar)
        .service(bookings::act)
        .service(ledger::ledgers_page)
        // Before `/grand-livre/{id}`, whose id would not parse.
        .service(ledger::whole_ledger_page)
        .service(reconciliation::reconciliation_page)
        .service(ledger::ledger_download)
        .service(ledger::ledger_page)
        .service(admin::admin_page)
        .service(admin::import_colleges)
        .service(admin::invite)
        .service(admin::publish_tariff)
        .service(admin::verify_association)
        .service(admin::invitation_page)
        .service(admin::accept_invitation)
        .service(manage_establishments::establishments_page)
        .service(rooms::establishment_page)
        .service(manage_establishments::establishment_page)
        .service(manage_establishments::start_payouts)
        .service(manage_establishments::add_room)
        .service(establishment_admin::decide)
        .service(admin::create_staff)
        .service(admin::staff_state)
        .service(establishment_admin::remove_manager)
        .service(manage_rooms::room_page)
        // Before `/salles/{id}/gestion/{action}`, which it would match.
        .service(manage_rooms::lift)
        .service(manage_rooms::room_action)
        .service(info::legal)
        .service(info::accessibility)
        .service(info::source)
        .service(info::licence);
}
