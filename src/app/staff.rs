//! The accounts only admins make and unmake: finance and admin accounts
//! (managers come by invitation, associations by sign-up), and disabling
//! any account — which stops its sessions and tokens at once — or enabling
//! it again.

use chrono::Utc;
use uuid::Uuid;

use crate::app::accounts::{self, NewAccount, Role};
use crate::app::{App, AppError, Caller};
use crate::domain::DomainError;

/// A finance or admin account as an admin types it.
#[derive(Debug, Clone)]
pub struct NewStaff {
    pub email: String,
    pub password: String,
    pub name: String,
    /// `finance` or `admin`
    pub role: String,
}

/// Creates the account (admins); answers its id.
pub async fn create(app: &App, caller: &Caller, new: &NewStaff) -> Result<Uuid, AppError> {
    caller.require(&[Role::Admin])?;
    let role = match Role::parse(&new.role) {
        Some(role @ (Role::Finance | Role::Admin)) => role,
        _ => {
            return Err(DomainError::rule(
                "invalid_role",
                "Le rôle est « finance » ou « admin » (les gestionnaires et les associations ont leur propre route).",
            )
            .into());
        }
    };
    let account = NewAccount {
        email: &new.email,
        password: &new.password,
        name: &new.name,
        role,
        association_id: None,
    };
    Ok(accounts::create(&app.store, account, Utc::now()).await?)
}

/// Disables the account (its sessions and tokens end at once; it cannot
/// sign in) or enables it again (admins; never their own).
pub async fn set_disabled(app: &App, caller: &Caller, user_id: Uuid, disabled: bool) -> Result<(), AppError> {
    caller.require(&[Role::Admin])?;
    if user_id == caller.user_id() && disabled {
        return Err(AppError::Unprocessable {
            code: "own_account",
            message:
                "Vous ne pouvez pas désactiver votre propre compte : demandez-le à un autre administrateur."
                    .into(),
        });
    }
    if !accounts::set_disabled(&app.store, user_id, disabled, Utc::now()).await? {
        return Err(AppError::NotFound("Ce compte n'existe pas.".into()));
    }
    Ok(())
}

/// [`set_disabled`] for the account with this e-mail address (the admin's page).
pub async fn set_disabled_by_email(
    app: &App,
    caller: &Caller,
    email: &str,
    disabled: bool,
) -> Result<accounts::Account, AppError> {
    caller.require(&[Role::Admin])?;
    let account = accounts::by_email(&app.store, email)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("Aucun compte n'a l'adresse « {} ».", email.trim())))?;
    set_disabled(app, caller, account.user_id, disabled).await?;
    Ok(account)
}
