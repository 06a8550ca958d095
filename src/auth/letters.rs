//! The mails about an account itself (verification, a sign-up attempt on a verified address,
//! password reset, an admin-made account's first password), in the person's language. Links
//! lead to the front end (`APP_PUBLIC_URL`), which posts the token to the API.

use crate::{language::Language, mail::Letter};

/// What an account mail says.
pub enum AccountMail<'a> {
    /// Confirm the address of a new sign-up.
    VerifyEmail { token: &'a str },
    /// Someone tried to sign up with an address that already has a verified account.
    SignupAttempted,
    /// A password reset was asked for.
    ResetPassword { token: &'a str },
    /// An admin created an account for this address: choose a password.
    SetPassword { token: &'a str },
}

impl AccountMail<'_> {
    /// The letter to `to`, with links under `app_url`.
    pub fn letter(&self, to: &str, language: Language, app_url: &str) -> Letter {
        let fr = language == Language::Fr;
        let (subject, body) = match self {
            AccountMail::VerifyEmail { token } => {
                let link = format!("{app_url}/verify-email?token={token}");
                if fr {
                    (
                        "Confirmez votre adresse courriel".to_string(),
                        format!(
                            "Bonjour,\n\nPour confirmer votre adresse et activer votre compte, \
                             ouvrez ce lien dans les 24 heures :\n\n{link}\n\n\
                             Si vous n'avez pas créé de compte, ignorez ce message.\n"
                        ),
                    )
                } else {
                    (
                        "Confirm your email address".to_string(),
                        format!(
                            "Hello,\n\nTo confirm your address and activate your account, open \
                             this link within 24 hours:\n\n{link}\n\n\
                             If you did not sign up, ignore this message.\n"
                        ),
                    )
                }
            }
            AccountMail::SignupAttempted => {
                let link = format!("{app_url}/reset-password");
                if fr {
                    (
                        "Tentative d'inscription avec votre adresse".to_string(),
                        format!(
                            "Bonjour,\n\nQuelqu'un a tenté de créer un compte avec votre adresse \
                             courriel. Votre compte existe déjà et rien n'a changé.\n\n\
                             Si c'était vous et que vous avez oublié votre mot de passe, \
                             réinitialisez-le ici : {link}\n\
                             Sinon, vous pouvez ignorer ce message.\n"
                        ),
                    )
                } else {
                    (
                        "Someone tried to sign up with your address".to_string(),
                        format!(
                            "Hello,\n\nSomeone tried to sign up with your email address. Your \
                             account already exists and nothing was changed.\n\n\
                             If it was you and you forgot your password, reset it here: {link}\n\
                             Otherwise you can ignore this message.\n"
                        ),
                    )
                }
            }
            AccountMail::ResetPassword { token } => {
                let link = format!("{app_url}/reset-password?token={token}");
                if fr {
                    (
                        "Réinitialiser votre mot de passe".to_string(),
                        format!(
                            "Bonjour,\n\nPour choisir un nouveau mot de passe, ouvrez ce lien \
                             dans les 30 minutes :\n\n{link}\n\n\
                             Toutes vos sessions ouvertes seront fermées. Si vous n'avez rien \
                             demandé, ignorez ce message : votre mot de passe ne change pas.\n"
                        ),
                    )
                } else {
                    (
                        "Reset your password".to_string(),
                        format!(
                            "Hello,\n\nTo choose a new password, open this link within 30 \
                             minutes:\n\n{link}\n\n\
                             Every session you have open will end. If you did not ask for this, \
                             ignore this message: your password stays the same.\n"
                        ),
                    )
                }
            }
            AccountMail::SetPassword { token } => {
                let link = format!("{app_url}/reset-password?token={token}");
                if fr {
                    (
                        "Choisissez votre mot de passe".to_string(),
                        format!(
                            "Bonjour,\n\nUn administrateur a créé votre compte. Pour choisir \
                             votre mot de passe, ouvrez ce lien dans les 72 heures :\n\n{link}\n"
                        ),
                    )
                } else {
                    (
                        "Choose your password".to_string(),
                        format!(
                            "Hello,\n\nAn administrator created your account. To choose your \
                             password, open this link within 72 hours:\n\n{link}\n"
                        ),
                    )
                }
            }
        };
        Letter {
            to: to.to_string(),
            subject,
            body,
        }
    }
}
