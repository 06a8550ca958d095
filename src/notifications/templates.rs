//! The words of every notice, in English and French: warm, plain, and never blaming. Subjects
//! stay discreet (they show on lock screens and shared inboxes): no group names, no program focus.

use chrono::{DateTime, Datelike, Timelike, Utc, Weekday};
use chrono_tz::Tz;

use super::models::Notice;
use crate::{domain::MeetingMode, language::Language, support_lines::models::SupportLine};

/// The program's own 24/7 line, which ends every notice.
pub const PROGRAM_LINE: &str = "1-844-750-1648";

/// The subject and plain-text body of `notice` in `language`, its times written in `zone` (the
/// person's time zone). `support_lines` are listed in the notices that tell a peer "no" or "not
/// yet" (and ignored in the others).
pub fn render(
    notice: &Notice,
    language: Language,
    zone: Tz,
    support_lines: &[SupportLine],
) -> (String, String) {
    let fr = language == Language::Fr;
    let (subject, message) = if fr {
        french(notice, zone)
    } else {
        english(notice, zone)
    };
    let mut body = String::new();
    body.push_str(if fr { "Bonjour,\n\n" } else { "Hello,\n\n" });
    body.push_str(&message);
    body.push_str(if fr {
        "\n\nAvec bienveillance,\nL'équipe du programme de soutien par les pairs"
    } else {
        "\n\nWith care,\nThe peer support program team"
    });
    let lines: &[SupportLine] = if notice.carries_support_lines() {
        support_lines
    } else {
        &[]
    };
    if !lines.is_empty() {
        body.push_str(if fr {
            "\n\nSi vous souhaitez parler à quelqu'un, ces lignes sont là pour vous :"
        } else {
            "\n\nIf you would like to talk with someone, these lines are there for you:"
        });
        for line in lines {
            body.push('\n');
            body.push_str(&support_line(line, fr));
        }
    }
    let program_line_listed = lines
        .iter()
        .any(|l| digits(&l.phone) == digits(PROGRAM_LINE));
    if !program_line_listed {
        body.push_str(&if fr {
            format!("\n\nSi vous avez besoin de parler à quelqu'un, de jour comme de nuit, la ligne de soutien 24/7 est le {PROGRAM_LINE}.")
        } else {
            format!("\n\nIf you need to talk to someone at any time, day or night, the 24/7 support line is {PROGRAM_LINE}.")
        });
    }
    (subject, body)
}

fn english(notice: &Notice, zone: Tz) -> (String, String) {
    match notice {
        Notice::Referred => (
            "You have been referred to us".into(),
            "An organization you were in contact with referred you to the peer support program, \
with your permission to contact you. Thank you for letting them reach out on your behalf.\n\n\
A coordinator will contact you within one to two business days, in the way you gave them. There \
is nothing you need to do before then, and you may say no at any time.\n\n\
If you would like to follow your application and take the next steps online, create an account \
with this email address (or, if you already have one, sign in and ask for a code to link your \
referral). We will then send a one-time code to this address so that you can link the referral \
to your account. Nobody can link it without that code."
                .into(),
        ),
        Notice::FormSent => (
            "Your intake form is ready".into(),
            "Thank you for reaching out to the peer support program. Your coordinator has sent \
you the intake form; you will find it in your account.\n\n\
You can fill it in at your own pace, when the time feels right. Share only what you are \
comfortable sharing: there are no right or wrong answers. If you have questions, or would rather \
go over it together, your coordinator is there to help."
                .into(),
        ),
        Notice::Acknowledged => (
            "We received your intake form".into(),
            "Thank you for completing your intake form. We know it can take courage to share, and \
we appreciate the trust you are placing in us.\n\n\
A coordinator will read it and contact you within one to two business days to set up a \
conversation at a time that suits you. You can see where your application is at any time in \
your account."
                .into(),
        ),
        Notice::MeetingScheduled { at, mode } => (
            "Your intake conversation is booked".into(),
            format!(
                "Your conversation with a coordinator is booked for {} ({}).\n\n{}\n\n\
This conversation is not a test. It is a chance to get to know each other, to talk about what \
you hope to find in a group, and to go over the group agreements and consent forms together, at \
your pace. If the time no longer works for you, let your coordinator know and you will find \
another one together.",
                when(*at, zone, false),
                zone_label(zone, false),
                match mode {
                    MeetingMode::Phone => "Your coordinator will call you.",
                    MeetingMode::Video => "It is a video call: the link is in your account.",
                    MeetingMode::InPerson => "It is in person: where to come is in your account.",
                }
            ),
        ),
        Notice::Placed {
            group_name,
            sessions,
        } => {
            let tz = zone;
            let schedule = if sessions.is_empty() {
                "Your facilitators will share the session dates soon; they will appear in your \
account."
                    .to_string()
            } else {
                format!(
                    "Your sessions ({}):\n{}",
                    zone_label(tz, false),
                    session_list(sessions, tz, false)
                )
            };
            (
                "Your place in a group is confirmed".into(),
                format!(
                    "We are glad to confirm your place in {}.\n\n{schedule}\n\n\
The link to join each session is in your account, with your sessions. Coming to a session is \
always your choice: if you need to miss one or take a break, that is okay; just let your \
facilitators or your coordinator know if you can.\n\n\
We look forward to welcoming you.",
                    group_name.trim()
                ),
            )
        }
        Notice::Waitlisted => (
            "An update on your application: the waiting list".into(),
            "Thank you for your patience. Right now there is no open seat in a group that matches \
what you asked for, so we have added your name to the waiting list. This says nothing about you: \
it only means the groups are full for the moment.\n\n\
We will write to you as soon as a seat opens. If your needs or availability change in the \
meantime, your coordinator would like to hear from you."
                .into(),
        ),
        Notice::NotReady => (
            "An update on your application".into(),
            "Thank you for taking the time to meet with us, and for your openness. After our \
conversation, we feel that joining a group is not the best next step for you right now. This is \
not a judgement of you, and it closes no doors: many people join a group later, and you are \
welcome to apply again whenever the time feels right.\n\n\
Your coordinator would be glad to talk with you about other supports that may help in the \
meantime."
                .into(),
        ),
        Notice::Closed { reason } => {
            let note = match reason.trim() {
                "" => String::new(),
                reason => format!("\n\nA note from your coordinator: {reason}"),
            };
            (
                "Your application has been closed".into(),
                format!(
                    "Your application to the peer support program has been closed. Thank you \
for reaching out to us.{note}\n\n\
You are welcome to apply again at any time, and we are happy to answer any questions."
                ),
            )
        }
        Notice::Withdrawn => (
            "You have withdrawn your application".into(),
            "We have received your decision to withdraw your application. Thank you for letting \
us know; you do not owe anyone an explanation.\n\n\
The door stays open: you are welcome to apply again whenever you wish."
                .into(),
        ),
        Notice::PlacementSuspended { group_name } => (
            "Your place in a group is on hold".into(),
            format!(
                "Your place in {} is on hold for now, following the withdrawal of your \
participation consent. Withdrawing consent is your right, and you do not need to explain it. \
While your place is on hold, you will not receive the session links.\n\n\
If you would like to come back, you can give your consent again in your account, and your \
coordinator will help you find your way back to a group.",
                group_name.trim()
            ),
        ),
        Notice::ApplicationAssigned => (
            "An intake application was assigned to you".into(),
            "An intake application was handed to you by another coordinator. Sign in to see it and \
to reach the person within the program's promised time."
                .into(),
        ),
        Notice::ApplicationReassigned => (
            "An intake application was handed over".into(),
            "An intake application you followed was handed to another coordinator. You no longer \
need to follow it up."
                .into(),
        ),
        Notice::SeatOfferExpired => (
            "The seat held for you has passed on".into(),
            "We did not hear from you in time, so the seat we were holding for you was offered to \
the next person. You are still on the waiting list, and we will write again when another seat \
opens. If you would rather not wait, or your situation has changed, you can tell your \
coordinator or withdraw in your account."
                .into(),
        ),
        Notice::SeatOffered {
            group_name,
            expires_at,
        } => (
            "A seat is open for you".into(),
            format!(
                "Good news: a seat has opened in {}, the group you are waiting for, and we are \
holding it for you until {} ({}).\n\n\
If you would like it, accept the offer in your account. If the time is not right, you can \
decline it: you will stay on the waiting list, and nobody will ask you why. If we do not hear \
from you by then, the seat will be offered to the next person and you will stay on the list.",
                group_name.trim(),
                when(*expires_at, zone, false),
                zone_label(zone, false)
            ),
        ),
    }
}

fn french(notice: &Notice, zone: Tz) -> (String, String) {
    match notice {
        Notice::Referred => (
            "Vous avez été orienté·e vers nous".into(),
            "Une organisation avec laquelle vous étiez en contact vous a orienté·e vers le \
programme de soutien par les pairs, avec votre permission de communiquer avec vous. Merci de \
l'avoir laissée faire cette démarche pour vous.\n\n\
Une personne de l'équipe de coordination communiquera avec vous d'ici un à deux jours ouvrables, \
de la façon que vous avez indiquée. Vous n'avez rien à faire d'ici là, et vous pouvez refuser en \
tout temps.\n\n\
Si vous souhaitez suivre votre demande et faire les prochaines étapes en ligne, créez un compte \
avec cette adresse courriel (ou, si vous en avez déjà un, connectez-vous et demandez un code pour \
lier votre orientation). Nous enverrons alors un code à usage unique à cette adresse pour que \
vous puissiez lier l'orientation à votre compte. Personne ne peut la lier sans ce code."
                .into(),
        ),
        Notice::FormSent => (
            "Votre formulaire d'accueil est prêt".into(),
            "Merci d'avoir communiqué avec le programme de soutien par les pairs. La personne qui \
coordonne votre demande vous a envoyé le formulaire d'accueil; vous le trouverez dans votre \
compte.\n\n\
Vous pouvez le remplir à votre rythme, au moment qui vous convient. Ne partagez que ce que vous \
êtes à l'aise de partager : il n'y a pas de bonne ou de mauvaise réponse. Si vous avez des \
questions, ou si vous préférez le remplir ensemble, la personne qui coordonne votre demande est là \
pour vous aider."
                .into(),
        ),
        Notice::Acknowledged => (
            "Nous avons reçu votre formulaire d'accueil".into(),
            "Merci d'avoir rempli votre formulaire d'accueil. Nous savons qu'il faut parfois du \
courage pour se confier, et nous vous remercions de la confiance que vous nous accordez.\n\n\
Une personne de l'équipe de coordination le lira et communiquera avec vous d'ici un à deux jours \
ouvrables pour fixer une conversation au moment qui vous convient. Vous pouvez suivre \
l'avancement de votre demande en tout temps dans votre compte."
                .into(),
        ),
        Notice::MeetingScheduled { at, mode } => (
            "Votre conversation d'accueil est fixée".into(),
            format!(
                "Votre conversation avec une personne de l'équipe de coordination est prévue le \
{} ({}).\n\n{}\n\n\
Cette conversation n'est pas un examen. C'est l'occasion de faire connaissance, de parler de ce \
que vous espérez trouver dans un groupe et de passer en revue ensemble, à votre rythme, les \
ententes du groupe et les formulaires de consentement. Si le moment ne vous convient plus, \
dites-le à la personne qui coordonne votre demande et vous en trouverez un autre ensemble.",
                when(*at, zone, true),
                zone_label(zone, true),
                match mode {
                    MeetingMode::Phone => "La personne qui coordonne votre demande vous appellera.",
                    MeetingMode::Video => "C'est un appel vidéo : le lien est dans votre compte.",
                    MeetingMode::InPerson => {
                        "C'est en personne : le lieu du rendez-vous est dans votre compte."
                    }
                }
            ),
        ),
        Notice::Placed {
            group_name,
            sessions,
        } => {
            let tz = zone;
            let schedule = if sessions.is_empty() {
                "Les personnes qui animent le groupe communiqueront bientôt les dates des séances; \
elles paraîtront dans votre compte."
                    .to_string()
            } else {
                format!(
                    "Vos séances ({}) :\n{}",
                    zone_label(tz, true),
                    session_list(sessions, tz, true)
                )
            };
            (
                "Votre place dans un groupe est confirmée".into(),
                format!(
                    "Nous avons le plaisir de vous confirmer votre place dans le groupe « {} ».\n\n\
{schedule}\n\n\
Le lien pour vous joindre à chaque séance se trouve dans votre compte, avec vos séances. Votre \
présence est toujours votre choix : si vous devez manquer une séance ou prendre une pause, c'est \
correct; si vous le pouvez, prévenez simplement les personnes qui animent le groupe ou la \
personne qui coordonne votre demande.\n\n\
Au plaisir de vous accueillir.",
                    group_name.trim()
                ),
            )
        }
        Notice::Waitlisted => (
            "Le point sur votre demande : la liste d'attente".into(),
            "Merci de votre patience. Pour le moment, aucune place n'est libre dans un groupe qui \
correspond à ce que vous avez demandé; nous avons donc inscrit votre nom sur la liste d'attente. \
Cela ne dit rien sur vous : les groupes sont simplement complets pour l'instant.\n\n\
Nous vous écrirons dès qu'une place se libère. Si vos besoins ou vos disponibilités changent d'ici \
là, la personne qui coordonne votre demande aimerait le savoir."
                .into(),
        ),
        Notice::NotReady => (
            "Le point sur votre demande".into(),
            "Merci d'avoir pris le temps de nous rencontrer, et merci de votre ouverture. À la \
suite de notre conversation, nous pensons que se joindre à un groupe n'est pas la meilleure \
prochaine étape pour vous en ce moment. Ce n'est pas un jugement sur vous, et aucune porte ne se \
ferme : bien des personnes se joignent à un groupe plus tard, et vous pouvez présenter une \
nouvelle demande dès que le moment vous semblera bon.\n\n\
La personne qui coordonne votre demande sera heureuse de vous parler d'autres formes de soutien \
qui pourraient vous aider d'ici là."
                .into(),
        ),
        Notice::Closed { reason } => {
            let note = match reason.trim() {
                "" => String::new(),
                reason => {
                    format!("\n\nUn mot de la personne qui coordonne votre demande : {reason}")
                }
            };
            (
                "Votre demande a été fermée".into(),
                format!(
                    "Votre demande au programme de soutien par les pairs a été fermée. Merci \
d'avoir communiqué avec nous.{note}\n\n\
Vous pouvez présenter une nouvelle demande en tout temps, et nous répondrons volontiers à vos \
questions."
                ),
            )
        }
        Notice::Withdrawn => (
            "Vous avez retiré votre demande".into(),
            "Nous avons bien reçu votre décision de retirer votre demande. Merci de nous en avoir \
informés; vous n'avez pas à vous justifier.\n\n\
La porte reste ouverte : vous pouvez présenter une nouvelle demande quand vous le souhaitez."
                .into(),
        ),
        Notice::PlacementSuspended { group_name } => (
            "Votre place dans un groupe est suspendue".into(),
            format!(
                "Votre place dans le groupe « {} » est suspendue pour le moment, à la suite du \
retrait de votre consentement à la participation. Retirer votre consentement est votre droit, et \
vous n'avez pas à vous justifier. Tant que votre place est suspendue, vous ne recevrez pas les \
liens des séances.\n\n\
Si vous souhaitez revenir, vous pouvez donner de nouveau votre consentement dans votre compte, et \
la personne qui coordonne votre demande vous aidera à retrouver une place dans un groupe.",
                group_name.trim()
            ),
        ),
        Notice::ApplicationAssigned => (
            "Une demande d'accueil vous a été confiée".into(),
            "Une autre personne de l'équipe de coordination vous a confié une demande d'accueil. \
Connectez-vous pour la consulter et joindre la personne dans le délai promis par le programme."
                .into(),
        ),
        Notice::ApplicationReassigned => (
            "Une demande d'accueil a été confiée à quelqu'un d'autre".into(),
            "Une demande d'accueil que vous suiviez a été confiée à une autre personne de l'équipe \
de coordination. Vous n'avez plus à en faire le suivi."
                .into(),
        ),
        Notice::SeatOfferExpired => (
            "La place qui vous était réservée a été offerte à quelqu'un d'autre".into(),
            "Faute de réponse à temps, la place que nous vous réservions a été offerte à la \
personne suivante. Vous êtes toujours sur la liste d'attente, et nous vous écrirons de nouveau \
quand une autre place se libérera. Si vous préférez ne plus attendre, ou si votre situation a \
changé, vous pouvez le dire à la personne qui coordonne votre demande ou retirer votre demande \
dans votre compte."
                .into(),
        ),
        Notice::SeatOffered {
            group_name,
            expires_at,
        } => (
            "Une place s'est libérée pour vous".into(),
            format!(
                "Bonne nouvelle : une place s'est libérée dans le groupe « {} », celui que vous \
attendez, et nous vous la réservons jusqu'au {} ({}).\n\n\
Si vous la voulez, acceptez l'offre dans votre compte. Si le moment ne vous convient pas, vous \
pouvez la refuser : vous resterez sur la liste d'attente, et personne ne vous demandera pourquoi. \
Sans nouvelles de vous d'ici là, la place sera offerte à la personne suivante et vous resterez sur \
la liste.",
                group_name.trim(),
                when(*expires_at, zone, true),
                zone_label(zone, true)
            ),
        ),
    }
}

/// `- Name — phone, text N (24/7)` in the notice's language.
fn support_line(line: &SupportLine, fr: bool) -> String {
    let name = if fr { &line.name.fr } else { &line.name.en };
    let mut text = format!("- {name} — {}", line.phone);
    if let Some(number) = &line.text_number {
        text.push_str(&if fr {
            format!(", texto {number}")
        } else {
            format!(", text {number}")
        });
    }
    if line.available_24_7 {
        text.push_str(if fr {
            " (24 h sur 24, 7 jours sur 7)"
        } else {
            " (24/7)"
        });
    }
    text
}

fn digits(phone: &str) -> String {
    phone.chars().filter(char::is_ascii_digit).collect()
}

/// The neutral subject and body of every discreet email, in `language`: that there is a message
/// and where to read it, with neither the program's name nor the notice's words (a mailbox may
/// be shared, a lock screen read over a shoulder).
pub fn discreet(language: Language) -> (String, String) {
    match language {
        Language::Fr => (
            "Vous avez un nouveau message".into(),
            "Bonjour,\n\nVous avez un nouveau message. Connectez-vous pour le lire.".into(),
        ),
        Language::En => (
            "You have a new message".into(),
            "Hello,\n\nYou have a new message. Sign in to read it.".into(),
        ),
    }
}

/// "Toronto time" for `America/Toronto`.
fn zone_label(tz: Tz, fr: bool) -> String {
    let name = tz.name();
    if matches!(
        name,
        "UTC" | "Etc/UTC" | "Etc/UCT" | "UCT" | "Zulu" | "Etc/Zulu"
    ) {
        return if fr {
            "temps universel coordonné"
        } else {
            "Coordinated Universal Time"
        }
        .into();
    }
    let place = name.rsplit('/').next().unwrap_or(name).replace('_', " ");
    if fr {
        format!("heure de {place}")
    } else {
        format!("{place} time")
    }
}

fn session_list(sessions: &[DateTime<Utc>], tz: Tz, fr: bool) -> String {
    let mut sorted = sessions.to_vec();
    sorted.sort();
    sorted
        .iter()
        .map(|at| format!("- {}", when(*at, tz, fr)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A moment as a person reads it, in `tz`: "Tuesday, January 12, 2027 at 7:00 p.m. EST" or
/// "mardi 12 janvier 2027 à 19 h 00 EST" (chrono's locales are not compiled in: names by hand).
pub fn when(at: DateTime<Utc>, tz: Tz, fr: bool) -> String {
    let local = at.with_timezone(&tz);
    let abbreviation = local.format("%Z");
    let (year, month, day) = (local.year(), local.month(), local.day());
    let (hour, minute) = (local.hour(), local.minute());
    if fr {
        let day = if day == 1 {
            "1er".to_string()
        } else {
            day.to_string()
        };
        format!(
            "{} {day} {} {year} à {hour} h {minute:02} {abbreviation}",
            weekday_fr(local.weekday()),
            MONTHS_FR[month as usize - 1]
        )
    } else {
        let (hour12, meridiem) = match hour {
            0 => (12, "a.m."),
            1..=11 => (hour, "a.m."),
            12 => (12, "p.m."),
            _ => (hour - 12, "p.m."),
        };
        format!(
            "{}, {} {day}, {year} at {hour12}:{minute:02} {meridiem} {abbreviation}",
            weekday_en(local.weekday()),
            MONTHS_EN[month as usize - 1]
        )
    }
}

const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

const MONTHS_FR: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

fn weekday_en(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

fn weekday_fr(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "lundi",
        Weekday::Tue => "mardi",
        Weekday::Wed => "mercredi",
        Weekday::Thu => "jeudi",
        Weekday::Fri => "vendredi",
        Weekday::Sat => "samedi",
        Weekday::Sun => "dimanche",
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::support_lines::models::{SupportLineDescription, SupportLineName};

    const TORONTO: Tz = chrono_tz::America::Toronto;

    fn line(en: &str, fr: &str, phone: &str, text: Option<&str>) -> SupportLine {
        SupportLine {
            id: format!("line-{phone}"),
            name: SupportLineName {
                en: en.into(),
                fr: fr.into(),
            },
            description: SupportLineDescription {
                en: "en".into(),
                fr: "fr".into(),
            },
            phone: phone.into(),
            text_number: text.map(Into::into),
            website: None,
            available_24_7: true,
            sort_order: 10,
        }
    }

    fn lines() -> Vec<SupportLine> {
        vec![
            line(
                "Sexual Misconduct Support and Resource Centre (SMSRC)",
                "Centre de soutien et de ressources sur l'inconduite sexuelle (CSRIS)",
                "1-844-750-1648",
                None,
            ),
            line(
                "9-8-8: Suicide Crisis Helpline",
                "9-8-8 : Ligne d'aide en cas de crise de suicide",
                "988",
                Some("988"),
            ),
            line(
                "VAC Assistance Service",
                "Service d'aide d'ACC",
                "1-800-268-7708",
                None,
            ),
        ]
    }

    fn every_notice() -> Vec<Notice> {
        vec![
            Notice::Referred,
            Notice::FormSent,
            Notice::Acknowledged,
            Notice::MeetingScheduled {
                at: Utc.with_ymd_and_hms(2027, 1, 12, 15, 0, 0).unwrap(),
                mode: MeetingMode::Video,
            },
            Notice::Placed {
                group_name: "Tuesday evening circle".into(),
                sessions: vec![Utc.with_ymd_and_hms(2027, 1, 13, 0, 0, 0).unwrap()],
            },
            Notice::Waitlisted,
            Notice::NotReady,
            Notice::Closed {
                reason: "We could not reach you after several tries.".into(),
            },
            Notice::Withdrawn,
            Notice::PlacementSuspended {
                group_name: "Tuesday evening circle".into(),
            },
            Notice::ApplicationAssigned,
            Notice::ApplicationReassigned,
            Notice::SeatOffered {
                group_name: "Tuesday evening circle".into(),
                expires_at: Utc.with_ymd_and_hms(2027, 1, 14, 17, 0, 0).unwrap(),
            },
            Notice::SeatOfferExpired,
        ]
    }

    #[test]
    fn every_notice_has_words_in_both_languages_and_ends_with_the_program_line() {
        for notice in every_notice() {
            let (en_subject, en_body) = render(&notice, Language::En, TORONTO, &lines());
            let (fr_subject, fr_body) = render(&notice, Language::Fr, TORONTO, &lines());
            assert!(!en_subject.is_empty() && !fr_subject.is_empty());
            assert_ne!(en_subject, fr_subject, "{notice:?}");
            assert!(en_body.starts_with("Hello,"), "{notice:?}");
            assert!(fr_body.starts_with("Bonjour,"), "{notice:?}");
            for body in [&en_body, &fr_body] {
                // Once: in the support lines listed, or else as the last line.
                assert_eq!(body.matches(PROGRAM_LINE).count(), 1, "{notice:?}: {body}");
                if !notice.carries_support_lines() {
                    let last = body.lines().last().unwrap();
                    assert!(last.contains(PROGRAM_LINE), "{notice:?}: {body}");
                }
            }
            // Nothing identifying in a subject: it shows on lock screens.
            assert!(!en_subject.contains("circle") && !fr_subject.contains("circle"));
        }
    }

    #[test]
    fn the_no_and_not_yet_notices_list_the_support_lines_in_their_language() {
        for notice in every_notice() {
            let (_, en) = render(&notice, Language::En, TORONTO, &lines());
            let (_, fr) = render(&notice, Language::Fr, TORONTO, &lines());
            let listed = en.contains("- 9-8-8: Suicide Crisis Helpline — 988, text 988 (24/7)");
            assert_eq!(listed, notice.carries_support_lines(), "{notice:?}: {en}");
            if notice.carries_support_lines() {
                assert!(en.contains("- VAC Assistance Service — 1-800-268-7708 (24/7)"));
                assert!(en.contains(
                    "- Sexual Misconduct Support and Resource Centre (SMSRC) — 1-844-750-1648"
                ));
                assert!(fr.contains(
                    "- 9-8-8 : Ligne d'aide en cas de crise de suicide — 988, texto 988 \
                     (24 h sur 24, 7 jours sur 7)"
                ));
                assert!(fr.contains("- Service d'aide d'ACC — 1-800-268-7708"));
                assert!(!fr.contains("VAC Assistance Service"));
                assert!(!en.contains("Service d'aide d'ACC"));
                // The program's line is listed, so it is not repeated after the list.
                assert!(en.ends_with("(24/7)"), "{en}");
            }
        }
    }

    #[test]
    fn the_program_line_closes_a_no_notice_even_when_admins_removed_it_from_the_lines() {
        let without_program_line: Vec<SupportLine> = lines().into_iter().skip(1).collect();
        let (_, body) = render(
            &Notice::NotReady,
            Language::En,
            TORONTO,
            &without_program_line,
        );
        assert!(body.contains("- VAC Assistance Service"));
        assert!(body.ends_with("the 24/7 support line is 1-844-750-1648."));
        let (_, body) = render(&Notice::Waitlisted, Language::Fr, TORONTO, &[]);
        assert!(body.ends_with("la ligne de soutien 24/7 est le 1-844-750-1648."));
    }

    #[test]
    fn session_dates_are_shown_in_the_group_time_zone_across_daylight_saving() {
        let notice = Notice::Placed {
            group_name: "  Cercle du mardi  ".into(),
            sessions: vec![
                // Given out of order: listed in order.
                Utc.with_ymd_and_hms(2027, 1, 13, 0, 0, 0).unwrap(),
                Utc.with_ymd_and_hms(2026, 11, 1, 23, 30, 0).unwrap(),
                Utc.with_ymd_and_hms(2026, 10, 27, 23, 30, 0).unwrap(),
            ],
        };
        let (_, en) = render(&notice, Language::En, TORONTO, &[]);
        assert!(en.contains("your place in Cercle du mardi."), "{en}");
        assert!(
            en.contains(
                "Your sessions (Toronto time):\n\
                 - Tuesday, October 27, 2026 at 7:30 p.m. EDT\n\
                 - Sunday, November 1, 2026 at 6:30 p.m. EST\n\
                 - Tuesday, January 12, 2027 at 7:00 p.m. EST\n"
            ),
            "{en}"
        );
        let (_, fr) = render(&notice, Language::Fr, TORONTO, &[]);
        assert!(fr.contains("le groupe « Cercle du mardi »"), "{fr}");
        assert!(
            fr.contains(
                "Vos séances (heure de Toronto) :\n\
                 - mardi 27 octobre 2026 à 19 h 30 EDT\n\
                 - dimanche 1er novembre 2026 à 18 h 30 EST\n\
                 - mardi 12 janvier 2027 à 19 h 00 EST\n"
            ),
            "{fr}"
        );
        let vancouver = Notice::Placed {
            group_name: "West".into(),
            sessions: vec![Utc.with_ymd_and_hms(2027, 1, 13, 0, 0, 0).unwrap()],
        };
        let (_, en) = render(&vancouver, Language::En, chrono_tz::America::Vancouver, &[]);
        assert!(
            en.contains("(Vancouver time):\n- Tuesday, January 12, 2027 at 4:00 p.m. PST"),
            "{en}"
        );
    }

    #[test]
    fn a_placement_without_sessions_yet_says_so_and_a_meeting_time_names_its_zone() {
        let notice = Notice::Placed {
            group_name: "West".into(),
            sessions: vec![],
        };
        assert!(render(&notice, Language::En, TORONTO, &[])
            .1
            .contains("will share the session dates soon"));
        let meeting = Notice::MeetingScheduled {
            at: Utc.with_ymd_and_hms(2027, 3, 1, 0, 5, 0).unwrap(),
            mode: MeetingMode::Phone,
        };
        assert!(render(&meeting, Language::En, chrono_tz::UTC, &[])
            .1
            .contains("Monday, March 1, 2027 at 12:05 a.m. UTC (Coordinated Universal Time)"));
        assert!(render(&meeting, Language::Fr, chrono_tz::UTC, &[])
            .1
            .contains("le lundi 1er mars 2027 à 0 h 05 UTC (temps universel coordonné)"));
        let halifax = chrono_tz::America::Halifax;
        assert!(render(&meeting, Language::En, halifax, &[])
            .1
            .contains("Sunday, February 28, 2027 at 8:05 p.m. AST (Halifax time)"));
        assert!(render(&meeting, Language::Fr, halifax, &[])
            .1
            .contains("le dimanche 28 février 2027 à 20 h 05 AST (heure de Halifax)"));
    }

    #[test]
    fn a_discreet_email_says_only_that_there_is_a_message() {
        for language in [Language::En, Language::Fr] {
            let (subject, body) = discreet(language);
            for notice in every_notice() {
                let (full_subject, _) = render(&notice, language, TORONTO, &lines());
                assert_ne!(subject, full_subject);
            }
            for words in [subject, body] {
                let lower = words.to_lowercase();
                for identifying in [
                    "peer support",
                    "pairs",
                    "program",
                    "1-844",
                    "group",
                    "groupe",
                ] {
                    assert!(!lower.contains(identifying), "{words}");
                }
            }
        }
    }

    #[test]
    fn a_closing_shows_the_coordinator_note_only_when_there_is_one() {
        let (_, with) = render(
            &Notice::Closed {
                reason: "  You told us you found a group closer to home.  ".into(),
            },
            Language::En,
            TORONTO,
            &lines(),
        );
        assert!(with.contains(
            "A note from your coordinator: You told us you found a group closer to home.\n"
        ));
        let (_, without) = render(
            &Notice::Closed {
                reason: "   ".into(),
            },
            Language::Fr,
            TORONTO,
            &lines(),
        );
        assert!(!without.contains("Un mot de"));
    }
}
