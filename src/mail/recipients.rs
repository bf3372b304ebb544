//! Who a notice goes to: an account's address, name, language and the
//! notices it turned off (columns of `accounts`, migrations 0007 and 0013).

use salle_events::Store;
use salle_events::sql::{self, Args};
use salle_web::Lang;
use uuid::Uuid;

/// One person a message goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub user_id: Option<Uuid>,
    pub email: String,
    pub name: String,
    pub lang: Lang,
    /// The notices they turned off.
    pub muted: Vec<String>,
}

#[derive(sqlx::FromRow)]
struct Row {
    user_id: Uuid,
    email: String,
    name: String,
    lang: String,
    muted_notices: String,
}

impl From<Row> for Recipient {
    fn from(r: Row) -> Self {
        Self {
            user_id: Some(r.user_id),
            email: r.email,
            name: r.name,
            lang: Lang::from_code(&r.lang).unwrap_or_default(),
            muted: r.muted_notices.split(',').filter(|m| !m.is_empty()).map(str::to_owned).collect(),
        }
    }
}

const COLUMNS: &str = "SELECT user_id, email, name, lang, muted_notices FROM accounts";

/// The accounts among `ids` that exist (managers of an establishment).
pub async fn by_ids(
    store: &Store,
    ids: impl IntoIterator<Item = Uuid>,
) -> Result<Vec<Recipient>, sqlx::Error> {
    let mut out = Vec::new();
    for id in ids {
        let row: Option<Row> =
            sql::fetch_optional(store, format!("{COLUMNS} WHERE user_id = $1"), Args::new().uuid(id)).await?;
        out.extend(row.map(Recipient::from));
    }
    Ok(out)
}

/// The account behind an address, if any.
pub async fn by_email(store: &Store, email: &str) -> Result<Option<Recipient>, sqlx::Error> {
    let row: Option<Row> =
        sql::fetch_optional(store, format!("{COLUMNS} WHERE email = $1"), Args::new().text(email.to_owned()))
            .await?;
    Ok(row.map(Recipient::from))
}

/// Every member of an association, oldest first.
pub async fn of_association(store: &Store, association_id: Uuid) -> Result<Vec<Recipient>, sqlx::Error> {
    let rows: Vec<Row> = sql::fetch_all(
        store,
        format!("{COLUMNS} WHERE association_id = $1 ORDER BY created_at, user_id"),
        Args::new().uuid(association_id),
    )
    .await?;
    Ok(rows.into_iter().map(Recipient::from).collect())
}

/// What an account reads its messages in, and the notices it turned off.
pub async fn set_preferences(
    store: &Store,
    user_id: Uuid,
    lang: Lang,
    muted: &[String],
) -> Result<(), sqlx::Error> {
    sql::write(
        store,
        "UPDATE accounts SET lang = $2, muted_notices = $3 WHERE user_id = $1",
        Args::new().uuid(user_id).text(lang.code().to_owned()).text(muted.join(",")),
    )
    .await
    .map(drop)
}
