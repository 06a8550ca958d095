//! The claim-code mail. It is sent straight away, outside the outbox (like the account mails),
//! so the code is never stored anywhere but as its hash: a lost mail is replaced by asking for a
//! new code (`POST /me/referrals/claim-code`).

use chrono::{DateTime, Utc};

use crate::{language::Language, mail::Letter, notifications::templates::when};

/// The one-time `code` that links referrals to the account that asked for it, to `to` (the
/// referral's address, which the account has proved it controls).
pub fn claim_code(to: &str, language: Language, code: &str, expires_at: DateTime<Utc>) -> Letter {
    let (subject, body) = if language == Language::Fr {
        (
            "Votre code à usage unique",
            format!(
                "Voici votre code à usage unique pour lier votre orientation à votre compte : \
{code}\n\n\
Entrez-le dans le compte qui l'a demandé, avant le {} (temps universel coordonné). Il ne \
fonctionne qu'une seule fois.\n\n\
Si vous n'avez pas créé de compte ni demandé de code, vous pouvez ignorer ce message : rien \
n'est lié sans ce code.",
                when(expires_at, chrono_tz::UTC, true)
            ),
        )
    } else {
        (
            "Your one-time code",
            format!(
                "Here is your one-time code to link your referral to your account: {code}\n\n\
Enter it in the account that asked for it, before {} (Coordinated Universal Time). It works \
only once.\n\n\
If you did not create an account or ask for a code, you can ignore this message: nothing is \
linked without the code.",
                when(expires_at, chrono_tz::UTC, false)
            ),
        )
    };
    Letter {
        to: to.to_string(),
        subject: subject.to_string(),
        body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_letter_gives_the_code_and_when_it_expires_and_its_subject_does_not() {
        let at = Utc.with_ymd_and_hms(2027, 1, 13, 15, 0, 0).unwrap();
        let en = claim_code("alex@example.ca", Language::En, "K7QM-4XPD-9RTW", at);
        assert_eq!(en.to, "alex@example.ca");
        assert!(!en.subject.contains("K7QM"));
        assert!(en.body.contains(": K7QM-4XPD-9RTW\n"), "{}", en.body);
        assert!(
            en.body
                .contains("before Wednesday, January 13, 2027 at 3:00 p.m. UTC"),
            "{}",
            en.body
        );
        let fr = claim_code("alex@example.ca", Language::Fr, "K7QM-4XPD-9RTW", at);
        assert!(fr.body.contains(" : K7QM-4XPD-9RTW\n"), "{}", fr.body);
        assert!(
            fr.body
                .contains("avant le mercredi 13 janvier 2027 à 15 h 00 UTC"),
            "{}",
            fr.body
        );
    }
}
