//! The two official languages the program serves, and how a request picks one.

crate::domain::vocabulary! {
    /// A language of the program: English or French.
    #[derive(Default)]
    Language { #[default] En = "en", Fr = "fr" }
}

impl Language {
    /// The preferred of English and French in an `Accept-Language` header (RFC 9110 weights);
    /// English when neither is acceptable or the header is missing or malformed.
    pub fn from_accept_language(header: Option<&str>) -> Language {
        let Some(header) = header else {
            return Language::En;
        };
        let mut best: Option<(f32, Language)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
            let weight = pieces
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or("");
            let language = match primary {
                "fr" => Language::Fr,
                "en" => Language::En,
                _ => continue,
            };
            if weight > 0.0 && best.is_none_or(|(w, _)| weight > w) {
                best = Some((weight, language));
            }
        }
        best.map(|(_, l)| l).unwrap_or(Language::En)
    }
}

#[cfg(test)]
mod tests {
    use super::Language;

    #[test]
    fn picks_the_heaviest_supported_language() {
        assert_eq!(Language::from_accept_language(None), Language::En);
        assert_eq!(Language::from_accept_language(Some("fr")), Language::Fr);
        assert_eq!(
            Language::from_accept_language(Some("fr-CA,fr;q=0.9")),
            Language::Fr
        );
        assert_eq!(
            Language::from_accept_language(Some("de, en;q=0.5, fr;q=0.8")),
            Language::Fr
        );
        assert_eq!(
            Language::from_accept_language(Some("en-CA, fr;q=0.8")),
            Language::En
        );
        assert_eq!(
            Language::from_accept_language(Some("fr;q=0, de")),
            Language::En
        );
        assert_eq!(Language::from_accept_language(Some(";;,q=,")), Language::En);
    }
}
