//! The small portable layer between the store's SQL and the two databases: parameter values,
//! column values and the decoding of rows into typed values.
//!
//! Queries are written once with `$1, $2…` placeholders. PostgreSQL takes them as they are;
//! for SQLite they become `?1, ?2…`, which SQLite numbers the same way.

use std::borrow::Cow;
use std::error::Error;

use postgres_types::{FromSql, IsNull, ToSql, Type, to_sql_checked};

use super::DbError;

/// A value bound to a placeholder.
#[derive(Clone, Debug, PartialEq)]
pub enum Value<'a> {
    Null,
    Int(i64),
    Bool(bool),
    Text(Cow<'a, str>),
    Blob(Cow<'a, [u8]>),
}

/// Anything that can be bound to a placeholder.
pub trait ToValue {
    fn to_value(&self) -> Value<'_>;
}

/// The parameters of a query: `params![org, id, "open"]`.
#[macro_export]
macro_rules! params {
    () => { &[] as &[$crate::store::Value<'_>] };
    ($($p:expr),+ $(,)?) => {
        &[$($crate::store::ToValue::to_value(&$p)),+][..]
    };
}

/// A column value as the database returned it, borrowed from the row.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Cell<'a> {
    Null,
    Int(i64),
    Bool(bool),
    Real(f64),
    Text(&'a str),
    Blob(&'a [u8]),
}

impl Cell<'_> {
    fn kind(&self) -> &'static str {
        match self {
            Cell::Null => "NULL",
            Cell::Int(_) => "an integer",
            Cell::Bool(_) => "a boolean",
            Cell::Real(_) => "a real number",
            Cell::Text(_) => "text",
            Cell::Blob(_) => "bytes",
        }
    }

    /// The error for a cell that is not what the target type needs.
    pub fn unexpected(&self, wanted: &str) -> DecodeError {
        DecodeError(format!("expected {wanted}, found {}", self.kind()))
    }
}

/// Why a column could not become the type asked for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DecodeError(pub String);

/// Anything a column can be read into.
pub trait FromCell: Sized {
    fn from_cell(cell: Cell<'_>) -> Result<Self, DecodeError>;
}

/// One row of a result, on either database.
pub struct Row<'r>(RowRef<'r>);

enum RowRef<'r> {
    Sqlite(&'r rusqlite::Row<'r>),
    Postgres(&'r tokio_postgres::Row),
}

impl<'r> Row<'r> {
    pub(super) fn sqlite(row: &'r rusqlite::Row<'r>) -> Self {
        Row(RowRef::Sqlite(row))
    }

    pub(super) fn postgres(row: &'r tokio_postgres::Row) -> Self {
        Row(RowRef::Postgres(row))
    }

    /// The value of column `index` (from 0) as `T`.
    pub fn get<T: FromCell>(&self, index: usize) -> Result<T, DbError> {
        let decoded = match &self.0 {
            RowRef::Sqlite(row) => {
                let cell = match row.get_ref(index).map_err(DbError::from)? {
                    rusqlite::types::ValueRef::Null => Cell::Null,
                    rusqlite::types::ValueRef::Integer(i) => Cell::Int(i),
                    rusqlite::types::ValueRef::Real(r) => Cell::Real(r),
                    rusqlite::types::ValueRef::Text(t) => Cell::Text(
                        std::str::from_utf8(t)
                            .map_err(|_| DbError::decode(index, "text that is not UTF-8"))?,
                    ),
                    rusqlite::types::ValueRef::Blob(b) => Cell::Blob(b),
                };
                T::from_cell(cell)
            }
            RowRef::Postgres(row) => {
                let cell: Cell<'_> = row.try_get(index).map_err(DbError::from)?;
                T::from_cell(cell)
            }
        };
        decoded.map_err(|e| DbError::decode(index, &e.0))
    }
}

/// A type built from a whole row.
pub trait FromRow: Sized {
    fn from_row(row: &Row<'_>) -> Result<Self, DbError>;
}

macro_rules! tuple_rows {
    ($(($($t:ident $i:tt),+)),+ $(,)?) => {$(
        impl<$($t: FromCell),+> FromRow for ($($t,)+) {
            fn from_row(row: &Row<'_>) -> Result<Self, DbError> {
                Ok(($(row.get::<$t>($i)?,)+))
            }
        }
    )+};
}

tuple_rows!(
    (A 0),
    (A 0, B 1),
    (A 0, B 1, C 2),
    (A 0, B 1, C 2, D 3),
    (A 0, B 1, C 2, D 3, E 4),
    (A 0, B 1, C 2, D 3, E 4, F 5),
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6),
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7),
);

/// Declares a read model: a struct filled, field by field in order, from the columns beside
/// the fields. `Type::COLUMNS` is the select list to use with it, so the two never drift apart.
#[macro_export]
macro_rules! read_model {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $(#[$fmeta0:meta])* pub $f0:ident : $t0:ty = $c0:expr
            $(, $(#[$fmeta:meta])* pub $f:ident : $t:ty = $c:expr)* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq)]
        $vis struct $name {
            $(#[$fmeta0])* pub $f0: $t0,
            $($(#[$fmeta])* pub $f: $t,)*
        }

        impl $name {
            /// The select list, in field order.
            pub const COLUMNS: &'static str = concat!($c0 $(, ", ", $c)*);
        }

        impl $crate::store::FromRow for $name {
            #[allow(unused_assignments)]
            fn from_row(row: &$crate::store::Row<'_>) -> Result<Self, $crate::store::DbError> {
                let mut index = 0usize;
                let $f0 = row.get(index)?;
                $(index += 1; let $f = row.get(index)?;)*
                Ok($name { $f0 $(, $f)* })
            }
        }
    };
}

// Parameter and column conversions of the plain types.

impl ToValue for Value<'_> {
    fn to_value(&self) -> Value<'_> {
        match self {
            Value::Text(t) => Value::Text(Cow::Borrowed(t)),
            Value::Blob(b) => Value::Blob(Cow::Borrowed(b)),
            Value::Null => Value::Null,
            Value::Int(i) => Value::Int(*i),
            Value::Bool(b) => Value::Bool(*b),
        }
    }
}

impl<T: ToValue + ?Sized> ToValue for &T {
    fn to_value(&self) -> Value<'_> {
        (**self).to_value()
    }
}

impl<T: ToValue> ToValue for Option<T> {
    fn to_value(&self) -> Value<'_> {
        self.as_ref().map_or(Value::Null, ToValue::to_value)
    }
}

impl ToValue for i64 {
    fn to_value(&self) -> Value<'_> {
        Value::Int(*self)
    }
}

impl ToValue for i32 {
    fn to_value(&self) -> Value<'_> {
        Value::Int(i64::from(*self))
    }
}

impl ToValue for u32 {
    fn to_value(&self) -> Value<'_> {
        Value::Int(i64::from(*self))
    }
}

impl ToValue for usize {
    fn to_value(&self) -> Value<'_> {
        Value::Int(i64::try_from(*self).unwrap_or(i64::MAX))
    }
}

impl ToValue for bool {
    fn to_value(&self) -> Value<'_> {
        Value::Bool(*self)
    }
}

impl ToValue for str {
    fn to_value(&self) -> Value<'_> {
        Value::Text(Cow::Borrowed(self))
    }
}

impl ToValue for String {
    fn to_value(&self) -> Value<'_> {
        Value::Text(Cow::Borrowed(self))
    }
}

impl ToValue for [u8] {
    fn to_value(&self) -> Value<'_> {
        Value::Blob(Cow::Borrowed(self))
    }
}

impl ToValue for Vec<u8> {
    fn to_value(&self) -> Value<'_> {
        Value::Blob(Cow::Borrowed(self))
    }
}

impl<T: FromCell> FromCell for Option<T> {
    fn from_cell(cell: Cell<'_>) -> Result<Self, DecodeError> {
        match cell {
            Cell::Null => Ok(None),
            other => T::from_cell(other).map(Some),
        }
    }
}

impl FromCell for i64 {
    fn from_cell(cell: Cell<'_>) -> Result<Self, DecodeError> {
        match cell {
            Cell::Int(i) => Ok(i),
            other => Err(other.unexpected("an integer")),
        }
    }
}

impl FromCell for bool {
    fn from_cell(cell: Cell<'_>) -> Result<Self, DecodeError> {
        match cell {
            Cell::Bool(b) => Ok(b),
            // SQLite keeps booleans as 0 and 1.
            Cell::Int(0) => Ok(false),
            Cell::Int(1) => Ok(true),
            other => Err(other.unexpected("a boolean")),
        }
    }
}

impl FromCell for String {
    fn from_cell(cell: Cell<'_>) -> Result<Self, DecodeError> {
        match cell {
            Cell::Text(t) => Ok(t.to_owned()),
            other => Err(other.unexpected("text")),
        }
    }
}

impl FromCell for Vec<u8> {
    fn from_cell(cell: Cell<'_>) -> Result<Self, DecodeError> {
        match cell {
            Cell::Blob(b) => Ok(b.to_vec()),
            other => Err(other.unexpected("bytes")),
        }
    }
}

/// A value kept as text and parsed back with `parse`.
pub(crate) fn from_text<T>(
    cell: Cell<'_>,
    what: &str,
    parse: impl FnOnce(&str) -> Option<T>,
) -> Result<T, DecodeError> {
    match cell {
        Cell::Text(t) => {
            parse(t).ok_or_else(|| DecodeError(format!("{t:?} is not a valid {what}")))
        }
        other => Err(other.unexpected(what)),
    }
}

// The drivers' side of the same values.

impl rusqlite::ToSql for Value<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match self {
            Value::Null => ValueRef::Null,
            Value::Int(i) => ValueRef::Integer(*i),
            Value::Bool(b) => ValueRef::Integer(i64::from(*b)),
            Value::Text(t) => ValueRef::Text(t.as_bytes()),
            Value::Blob(b) => ValueRef::Blob(b),
        }))
    }
}

impl ToSql for Value<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> Result<IsNull, Box<dyn Error + Sync + Send>> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(i) => match *ty {
                Type::INT2 => i16::try_from(*i)?.to_sql(ty, out),
                Type::INT4 => i32::try_from(*i)?.to_sql(ty, out),
                Type::BOOL => (*i != 0).to_sql(ty, out),
                _ => i.to_sql(ty, out),
            },
            Value::Bool(b) => b.to_sql(ty, out),
            Value::Text(t) => t.as_ref().to_sql(ty, out),
            Value::Blob(b) => b.as_ref().to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        // Checked value by value in `to_sql`, which refuses a type it cannot write.
        true
    }

    to_sql_checked!();
}

impl<'a> FromSql<'a> for Cell<'a> {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn Error + Sync + Send>> {
        Ok(match *ty {
            Type::INT8 => Cell::Int(i64::from_sql(ty, raw)?),
            Type::INT4 => Cell::Int(i64::from(i32::from_sql(ty, raw)?)),
            Type::INT2 => Cell::Int(i64::from(i16::from_sql(ty, raw)?)),
            Type::BOOL => Cell::Bool(bool::from_sql(ty, raw)?),
            Type::FLOAT8 => Cell::Real(f64::from_sql(ty, raw)?),
            Type::FLOAT4 => Cell::Real(f64::from(f32::from_sql(ty, raw)?)),
            Type::BYTEA => Cell::Blob(<&[u8]>::from_sql(ty, raw)?),
            Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => {
                Cell::Text(<&str>::from_sql(ty, raw)?)
            }
            ref other => {
                return Err(format!(
                    "column type {other} is not read by the store; cast it in the query"
                )
                .into());
            }
        })
    }

    fn from_sql_null(_: &Type) -> Result<Self, Box<dyn Error + Sync + Send>> {
        Ok(Cell::Null)
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// `$1` placeholders as SQLite's `?1`, outside quoted text.
pub(super) fn sqlite_placeholders(sql: &str) -> Cow<'_, str> {
    if !sql.contains('$') {
        return Cow::Borrowed(sql);
    }
    let mut out = String::with_capacity(sql.len());
    let mut quoted = false;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                quoted = !quoted;
                out.push(c);
            }
            '$' if !quoted && chars.peek().is_some_and(char::is_ascii_digit) => out.push('?'),
            _ => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_sqlite_numbers_outside_quotes() {
        assert_eq!(
            sqlite_placeholders("SELECT $1, '$2' FROM t WHERE a = $12"),
            "SELECT ?1, '$2' FROM t WHERE a = ?12"
        );
        assert!(matches!(sqlite_placeholders("SELECT 1"), Cow::Borrowed(_)));
    }

    #[test]
    fn booleans_read_from_either_database() {
        assert_eq!(bool::from_cell(Cell::Int(1)), Ok(true));
        assert_eq!(bool::from_cell(Cell::Bool(false)), Ok(false));
        assert!(bool::from_cell(Cell::Int(2)).is_err());
        assert_eq!(Option::<i64>::from_cell(Cell::Null), Ok(None));
        assert!(i64::from_cell(Cell::Text("1")).is_err());
    }
}
