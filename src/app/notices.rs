//! What an account is told by e-mail: the language of its messages, and
//! which notices it receives (the security ones always).

use salle_web::Lang;

use crate::app::{App, AppError, Caller, accounts};
use crate::mail::notice::Notice;

/// An account's choices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choices {
    pub lang: Lang,
    /// The notices it receives, of those its role can receive.
    pub receives: Vec<Notice>,
    /// Those its role can receive.
    pub offered: Vec<Notice>,
}

/// The notices a role is sent (managers: requests, cancellations and
/// messages; associations: everything about their bookings).
pub fn offered(caller: &Caller) -> Vec<Notice> {
    use crate::app::accounts::Role;
    match caller.role() {
        Role::Manager => Notice::OPTIONAL.into_iter().filter(|n| n.to_managers()).collect(),
        Role::Association => Notice::OPTIONAL.into_iter().filter(|n| n.to_associations()).collect(),
        Role::Finance | Role::Admin => vec![],
    }
}

pub async fn choices(app: &App, caller: &Caller) -> Result<Choices, AppError> {
    let me = crate::mail::recipients::by_ids(&app.store, [caller.user_id()])
        .await?
        .pop()
        .ok_or_else(|| AppError::Unauthorized("Ce compte n'existe plus.".into()))?;
    let offered = offered(caller);
    let receives = offered.iter().copied().filter(|n| !me.muted.iter().any(|m| m == n.code())).collect();
    Ok(Choices { lang: me.lang, receives, offered })
}

/// Keeps `lang` and receives exactly `receives` (of what the role is offered).
pub async fn choose(
    app: &App,
    caller: &Caller,
    lang: Lang,
    receives: &[Notice],
) -> Result<Choices, AppError> {
    let muted: Vec<String> =
        Notice::OPTIONAL.into_iter().filter(|n| !receives.contains(n)).map(|n| n.code().to_owned()).collect();
    accounts::set_preferences(&app.store, caller.user_id(), lang, &muted).await?;
    choices(app, caller).await
}
