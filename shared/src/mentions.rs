//! Who a message mentions: `@` and a person's full name (`@Sam Singh`), or the part of their
//! email address before the `@` (`@sam.singh`), in any case. The longest name that fits wins,
//! so `@Sam Singh` is not also `@Sam`.

/// Someone who may be mentioned: an id, their full name, their email address.
pub struct Mentionable<'a, Id> {
    pub id: Id,
    pub name: &'a str,
    pub email: &'a str,
}

/// At most this many `@`s in one message are looked at.
const MOST_MENTIONS: usize = 20;

/// The ids of the people `body` mentions, each once, in the order of their first mention.
#[must_use]
pub fn mentioned<Id: Copy + PartialEq>(body: &str, people: &[Mentionable<'_, Id>]) -> Vec<Id> {
    let lower = body.to_lowercase();
    // Each person's names as they may be written, lower-cased once.
    let names: Vec<(Id, String)> = people
        .iter()
        .flat_map(|p| {
            let handle = p.email.split('@').next().unwrap_or_default().to_lowercase();
            [(p.id, p.name.to_lowercase()), (p.id, handle)]
        })
        .filter(|(_, words)| !words.is_empty())
        .collect();
    let mut found: Vec<Id> = Vec::new();
    let starts = lower.match_indices('@').filter(|(at, _)| {
        // An address (sam@acme.example) is not a mention: `@` must start a word.
        !lower[..*at]
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric)
    });
    for (at, _) in starts.take(MOST_MENTIONS) {
        let rest = &lower[at + 1..];
        let best = names
            .iter()
            .filter(|(_, words)| rest.starts_with(words.as_str()))
            // Whole words only: `@samantha` is not `@sam`.
            .filter(|(_, words)| {
                !rest[words.len()..]
                    .chars()
                    .next()
                    .is_some_and(char::is_alphanumeric)
            })
            .max_by_key(|(_, words)| words.len());
        if let Some((id, _)) = best {
            if !found.contains(id) {
                found.push(*id);
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn people() -> Vec<Mentionable<'static, u8>> {
        vec![
            Mentionable {
                id: 1,
                name: "Sam Singh",
                email: "sam.singh@acme.example",
            },
            Mentionable {
                id: 2,
                name: "Sam",
                email: "sam@acme.example",
            },
            Mentionable {
                id: 3,
                name: "Hannah Hughes",
                email: "hannah.hughes@acme.example",
            },
        ]
    }

    #[test]
    fn names_and_handles_are_mentions_and_the_longest_fits() {
        assert_eq!(
            mentioned("Can @Sam Singh look at this?", &people()),
            vec![1]
        );
        assert_eq!(mentioned("@sam please", &people()), vec![2]);
        assert_eq!(
            mentioned(
                "cc @hannah.hughes and @SAM SINGH, @hannah hughes",
                &people()
            ),
            vec![3, 1]
        );
    }

    #[test]
    fn addresses_and_longer_words_are_not_mentions() {
        assert!(mentioned("write to sam@acme.example", &people()).is_empty());
        assert!(mentioned("@samantha knows", &people()).is_empty());
        assert!(mentioned("no one here", &people()).is_empty());
        assert!(mentioned("trailing @", &people()).is_empty());
    }
}
