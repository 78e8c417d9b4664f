//! The texts of the setting rules in the admin's language: English is the rule's `Display`,
//! German lives here, so both are kept side by side with the rules they explain.

use super::SettingRule;
use crate::ids::IdError;
use crate::locale::Language;

impl SettingRule {
    /// The rule and its fix in `language`.
    pub fn message(&self, language: Language) -> String {
        match language {
            Language::En => self.to_string(),
            Language::De => self.message_de(),
        }
    }

    /// The German text of the rule, for an admin whose Backstage speaks German.
    pub fn message_de(&self) -> String {
        match self {
            Self::RequiresSync => "erfordert, dass die Synchronisation (Kontrollkästchen 1) \
                                   eingeschaltet ist"
                .into(),
            Self::BusinessUnitIdRequired => {
                "die Business-Unit-ID ist für die Synchronisation erforderlich".into()
            }
            Self::BusinessUnitId(IdError::BusinessUnitIdShort) => {
                "die Business-Unit-ID hat 15 Zeichen; kopieren Sie die 18-stellige ID aus dem \
                 Salesforce-Setup (Business Unit Setup)"
                    .into()
            }
            Self::BusinessUnitId(_) => "die Business-Unit-ID muss mit 0Uv beginnen und 18 \
                                        Buchstaben oder Ziffern haben; kopieren Sie sie aus dem \
                                        Salesforce-Setup (Business Unit Setup)"
                .into(),
            Self::LinkFieldRequired => {
                "das Pardot-Feld für den SSO-Link ist für die Synchronisation erforderlich".into()
            }
            Self::LinkFieldNotUrlCapable => "das SSO-Link-Feld muss ein benutzerdefiniertes \
                                             Textfeld (<fieldId>__c) oder das Website-Feld sein; \
                                             Identitäts- und E-Mail-Felder werden nie \
                                             überschrieben"
                .into(),
            Self::PatternWithoutPlaceholder => {
                "das Namensmuster muss {list} enthalten, z. B. \"{list} Show\"".into()
            }
            Self::ExternalActivityNamesRequired => "External Activities benötigen die \
                                                    Extension und beide Aktivitätstyp-Namen"
                .into(),
            Self::PropertyNameEmpty => {
                "der interne Name der Eigenschaft darf nicht leer sein".into()
            }
            Self::LinkFieldUnknown { field } => format!(
                "Pardot hat kein benutzerdefiniertes Interessentenfeld {field}; legen Sie es in \
                 Pardot an (Interessentenfelder, Typ Text) oder geben Sie den API-Namen eines \
                 vorhandenen Feldes ein"
            ),
            Self::LinkFieldNotText { field, kind } => format!(
                "das Pardot-Feld {field} hat den Typ {kind} und kann keinen Link aufnehmen; \
                 wählen Sie ein Textfeld"
            ),
            Self::EventPropertyMissing { name } => format!(
                "der Mandant hat keine benutzerdefinierte Eigenschaft für Events mit dem \
                 internen Namen {name}; legen Sie sie im Backstage an (benutzerdefinierte \
                 Eigenschaften für Events) oder geben Sie den internen Namen ein, den Sie \
                 verwenden"
            ),
            Self::EnvironmentMismatch { connected } => format!(
                "die Verbindung wurde für die Umgebung {connected} hergestellt; behalten Sie \
                 {connected} oder verbinden Sie erneut mit der anderen Umgebung"
            ),
            Self::BusinessUnitNotFound { host } => format!(
                "Pardot unter {host} kennt diese Business-Unit-ID nicht oder sie ist inaktiv; \
                 prüfen Sie die ID und die Umgebung (Produktions-Business-Units liegen auf \
                 pi.pardot.com, Developer- und Sandbox-Business-Units auf pi.demo.pardot.com)"
            ),
            Self::BusinessUnitAccessDenied => "der verbundene Salesforce-Benutzer hat keinen \
                                               Zugriff auf diese Business Unit; geben Sie ihm \
                                               in Account Engagement Zugriff oder verbinden Sie \
                                               sich als anderer Benutzer"
                .into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_reads_differently_in_german_and_english() {
        let rules = [
            SettingRule::RequiresSync,
            SettingRule::BusinessUnitIdRequired,
            SettingRule::BusinessUnitId(IdError::BusinessUnitIdShort),
            SettingRule::BusinessUnitId(IdError::BusinessUnitIdMalformed),
            SettingRule::LinkFieldRequired,
            SettingRule::LinkFieldNotUrlCapable,
            SettingRule::PatternWithoutPlaceholder,
            SettingRule::ExternalActivityNamesRequired,
            SettingRule::PropertyNameEmpty,
            SettingRule::LinkFieldUnknown {
                field: "x__c".into(),
            },
            SettingRule::LinkFieldNotText {
                field: "x__c".into(),
                kind: "checkbox".into(),
            },
            SettingRule::EventPropertyMissing {
                name: "PardotListName".into(),
            },
            SettingRule::EnvironmentMismatch {
                connected: "sandbox",
            },
            SettingRule::BusinessUnitNotFound {
                host: "pi.pardot.com",
            },
            SettingRule::BusinessUnitAccessDenied,
        ];

        for rule in rules {
            let (en, de) = (rule.message(Language::En), rule.message(Language::De));
            assert!(!en.is_empty() && !de.is_empty());
            assert_ne!(en, de, "{rule:?}");
        }
    }

    #[test]
    fn a_missing_property_is_named_in_both_languages() {
        let rule = SettingRule::EventPropertyMissing {
            name: "PardotIntegrationAttendanceProcessingState".into(),
        };

        for language in [Language::En, Language::De] {
            assert!(
                rule.message(language)
                    .contains("PardotIntegrationAttendanceProcessingState")
            );
        }
    }
}
