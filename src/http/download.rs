//! A ledger export as a download, for the API and the pages alike: the
//! format named in the query, the file named by its format's rule.

use actix_web::HttpResponse;

use crate::http::error::AppError;

/// The export format named in a query.
pub fn export_format(name: &str) -> Result<crate::finance::export::Format, AppError> {
    crate::finance::export::Format::parse(name).ok_or_else(|| AppError::BadRequest {
        code: "invalid_format",
        message: format!("« {name} » n'est pas un format d'export (csv, fec ou hledger)."),
    })
}

/// An export as a download, named by its format's rule.
pub fn file_answer(exported: crate::finance::Exported) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(exported.content_type)
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{}\"", exported.file_name),
        ))
        .body(exported.body)
}
