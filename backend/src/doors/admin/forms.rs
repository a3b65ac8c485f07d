//! The admin app's forms on a record's page: what was typed comes back with the message next
//! to its field when a form is sent back (422), or with the reason at the top when the record
//! moved on meanwhile (409); a form that went through leads back to the page with a notice.

use std::future::Future;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use proplink_shared::records::{FieldError, ValidationErrors};
use serde::Deserialize;

use crate::doors::pages::{Choice, Problem, RecordPage, respond};
use crate::error::{AppError, AppResult};

impl crate::doors::pages::Actions {
    /// A page's forms, with what was just done (`notice`) and, when a form was sent back, what
    /// was wrong with it.
    #[must_use]
    pub fn answering(
        notice: Option<String>,
        draft: Option<&Draft>,
        forms: Vec<crate::doors::pages::Form>,
    ) -> Self {
        crate::doors::pages::Actions {
            notice,
            problems: draft.map(Draft::problems).unwrap_or_default(),
            forms,
        }
    }
}

/// A form that carries nothing but its CSRF token: a button.
#[derive(Deserialize)]
pub struct Empty {}

/// The query of the page a form leads back to once it went through: `?done=reply`.
#[derive(Deserialize)]
pub struct Done {
    pub done: Option<String>,
}

/// A form sent back: what was typed, and what was wrong with it.
pub struct Draft {
    pub form: &'static str,
    pub typed: Vec<(&'static str, String)>,
    pub errors: Vec<FieldError>,
    /// Wrong as a whole (someone else changed the record): shown at the top.
    pub problem: Option<String>,
}

impl Draft {
    /// The page's summary of problems, each linking to its field (or its form).
    #[must_use]
    pub fn problems(&self) -> Vec<Problem> {
        match &self.problem {
            Some(message) => vec![Problem {
                href: format!("#{}-heading", self.form),
                message: message.clone(),
            }],
            None => self
                .errors
                .iter()
                .map(|e| Problem {
                    href: format!("#{}-{}", self.form, e.field),
                    message: e.message.clone(),
                })
                .collect(),
        }
    }
}

/// Whether a form's outcome goes back to it: `None` when it went through, the status and the
/// draft when what was sent is wrong or the record changed; other errors pass on.
pub fn sent_back(
    form: &'static str,
    outcome: AppResult<()>,
    typed: Vec<(&'static str, String)>,
) -> AppResult<Option<(StatusCode, Draft)>> {
    match outcome {
        Ok(()) => Ok(None),
        Err(AppError::Invalid(errors)) => Ok(Some((
            StatusCode::UNPROCESSABLE_ENTITY,
            Draft {
                form,
                typed,
                errors: errors.0,
                problem: None,
            },
        ))),
        Err(AppError::Conflict { message, .. }) => Ok(Some((
            StatusCode::CONFLICT,
            Draft {
                form,
                typed,
                errors: Vec::new(),
                problem: Some(message),
            },
        ))),
        Err(e) => Err(e),
    }
}

/// The answer to a form: on to `done` when it went through, or the record's page again, built
/// by `page` around the draft, with what was wrong and what was typed.
pub async fn answer<F, Fut>(
    form: &'static str,
    outcome: AppResult<()>,
    typed: Vec<(&'static str, String)>,
    done: String,
    page: F,
) -> AppResult<Response>
where
    F: FnOnce(Draft) -> Fut,
    Fut: Future<Output = AppResult<RecordPage>>,
{
    match sent_back(form, outcome, typed)? {
        None => Ok(Redirect::to(&done).into_response()),
        Some((status, draft)) => Ok((status, respond(&page(draft).await?)).into_response()),
    }
}

/// Fills a page's forms: what was typed in the form sent back, else the record's values.
#[derive(Clone, Copy)]
pub struct Filler<'a> {
    pub draft: Option<&'a Draft>,
}

impl Filler<'_> {
    #[must_use]
    pub fn value(&self, form: &str, field: &str, default: &str) -> String {
        self.draft
            .filter(|d| d.form == form)
            .and_then(|d| d.typed.iter().find(|(f, _)| *f == field))
            .map_or(default, |(_, v)| v.as_str())
            .to_owned()
    }

    #[must_use]
    pub fn error(&self, form: &str, field: &str) -> Option<String> {
        self.draft
            .filter(|d| d.form == form)
            .and_then(|d| d.errors.iter().find(|e| e.field == field))
            .map(|e| e.message.clone())
    }
}

/// The choices of a coded enum, `selected` marked.
pub fn options<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
    selected: &str,
) -> Vec<Choice> {
    all.iter()
        .map(|v| Choice {
            value: code(*v).to_owned(),
            label: label(*v).to_owned(),
            selected: code(*v) == selected,
        })
        .collect()
}

/// The empty choice at the head of a select: "Nobody", "Not closing".
#[must_use]
pub fn none_choice(label: &str, selected: bool) -> Choice {
    Choice {
        value: String::new(),
        label: label.to_owned(),
        selected,
    }
}

pub use proplink_shared::records::date_field;

/// An amount of money as typed, or the message for its field.
pub fn amount_field(
    errors: &mut ValidationErrors,
    field: &'static str,
    text: &str,
) -> Option<proplink_shared::Money> {
    proplink_shared::Money::parse(text, proplink_shared::money::Sign::Positive)
        .map_err(|e| errors.add(field, e.to_string()))
        .ok()
}

/// The staff a record can be given to, with "Nobody" first and `chosen` selected.
pub fn staff_choices(
    people: Vec<(proplink_shared::StaffUserId, String)>,
    chosen: &str,
) -> Vec<Choice> {
    let mut choices = vec![none_choice("Nobody", chosen.is_empty())];
    choices.extend(
        people
            .into_iter()
            .map(|(id, name)| crate::doors::pages::Choice {
                selected: id.to_string() == chosen,
                value: id.to_string(),
                label: name,
            }),
    );
    choices
}
