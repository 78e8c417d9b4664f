//! The `fields` parameter: which keys a read or query returns. Names are checked before they
//! go into the comma-separated list, so a configured field name can't smuggle in another
//! field or parameter.

use crate::error::PardotError;

/// True for a plain Pardot field name: standard camelCase (`firstName`) or custom
/// (`streamboxyLink__c`).
pub(crate) fn is_valid_field_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 100
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Refuses a field name that is not plain.
pub(crate) fn check_field_name(name: &str) -> Result<(), PardotError> {
    if is_valid_field_name(name) {
        Ok(())
    } else {
        Err(PardotError::InvalidRequest {
            reason: format!("{name:?} is not a Pardot field name (letters, digits, _ only)"),
        })
    }
}

/// Joins `always` and the checked `extra` names (prefixed with `prefix`), without duplicates.
pub(crate) fn fields_param<S: AsRef<str>>(
    always: &[&str],
    prefix: &str,
    extra: &[S],
) -> Result<String, PardotError> {
    let mut fields: Vec<String> = always.iter().map(|f| (*f).to_owned()).collect();

    for name in extra {
        let name = name.as_ref();
        check_field_name(name)?;
        let qualified = format!("{prefix}{name}");
        if !fields.contains(&qualified) {
            fields.push(qualified);
        }
    }
    Ok(fields.join(","))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn builds_prefixed_list_without_duplicates() {
        let fields = fields_param(
            &["id", "prospect.email"],
            "prospect.",
            &["email", "link__c"],
        )
        .unwrap();

        assert_eq!(fields, "id,prospect.email,prospect.link__c");
    }

    #[test]
    fn refuses_names_that_could_inject() {
        assert!(fields_param(&["id"], "", &["email,password"]).is_err());
        assert!(fields_param(&["id"], "", &["a&limit=5"]).is_err());
        assert!(fields_param(&["id"], "", &[""]).is_err());
    }
}
