//! Building an LTI 1.1 launch's parameters the way platforms do: LTI 1.3 role URIs written as
//! LIS URNs, custom parameter names normalised, and the extension parameters common LMSs add.

/// LIS v2 role URIs (what the emulator stores) as the LTI 1.1 URNs a 1.1 tool expects:
/// `…/membership#Instructor` → `urn:lti:role:ims/lis/Instructor`, `…/institution/person#Faculty`
/// → `urn:lti:instrole:ims/lis/Faculty`, `…/system/person#Administrator` →
/// `urn:lti:sysrole:ims/lis/Administrator`, sub-roles `…/membership/Instructor#TeachingAssistant`
/// → `urn:lti:role:ims/lis/Instructor/TeachingAssistant`. Others pass unchanged.
pub fn role_urn(uri: &str) -> String {
    const LIS: &str = "http://purl.imsglobal.org/vocab/lis/v2/";
    let Some(rest) = uri.strip_prefix(LIS) else {
        return uri.to_string();
    };
    if let Some(name) = rest.strip_prefix("membership#") {
        format!("urn:lti:role:ims/lis/{name}")
    } else if let Some((principal, sub)) = rest
        .strip_prefix("membership/")
        .and_then(|r| r.split_once('#'))
    {
        format!("urn:lti:role:ims/lis/{principal}/{sub}")
    } else if let Some(name) = rest.strip_prefix("institution/person#") {
        format!("urn:lti:instrole:ims/lis/{name}")
    } else if let Some(name) = rest.strip_prefix("system/person#") {
        format!("urn:lti:sysrole:ims/lis/{name}")
    } else {
        uri.to_string()
    }
}

/// LTI 1.1 §3: a custom parameter `Chapter Name` is sent as `custom_chapter_name` (lower case,
/// every character but letters and digits replaced by `_`).
pub fn custom_name(name: &str) -> String {
    let norm: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("custom_{norm}")
}

/// What a launch is about, for the extension parameters of an LMS profile.
pub struct LaunchFacts<'a> {
    pub user_id: &'a str,
    pub username: &'a str,
    pub course_id: &'a str,
    pub roles: &'a [String],
    pub host: &'a str,
    pub outcome_url: Option<&'a str>,
}

/// LMS profiles the emulator can imitate in 1.1 launches.
pub const LMS_PROFILES: &[&str] = &[
    "generic",
    "canvas",
    "moodle",
    "blackboard",
    "brightspace",
    "sakai",
];

/// The product family code and extension parameters an LMS adds to its 1.1 launches (as seen
/// in their published launches: Canvas's self-hosted launches in the fixtures, Moodle's
/// mod/lti, Sakai's basiclti, Blackboard Learn and Brightspace tool links).
pub fn lms_extensions(profile: &str, f: &LaunchFacts<'_>) -> Vec<(String, String)> {
    let p = |k: &str, v: &str| (k.to_string(), v.to_string());
    let ext_roles = f.roles.join(",");
    match profile {
        "canvas" => {
            let mut out = vec![
                p("tool_consumer_info_product_family_code", "canvas"),
                p("tool_consumer_info_version", "cloud"),
                p("custom_canvas_api_domain", f.host),
                p("custom_canvas_course_id", f.course_id),
                p("custom_canvas_user_id", f.user_id),
                p("custom_canvas_user_login_id", f.username),
                p("custom_canvas_enrollment_state", "active"),
                p("ext_roles", &ext_roles),
                p("launch_presentation_document_target", "iframe"),
            ];
            if let Some(u) = f.outcome_url {
                out.push(p("ext_ims_lis_basic_outcome_url", u));
                out.push(p("ext_outcome_data_values_accepted", "url,text"));
                out.push(p("ext_outcome_result_total_score_accepted", "true"));
            }
            out
        }
        "moodle" => vec![
            p("tool_consumer_info_product_family_code", "moodle"),
            p("tool_consumer_info_version", "2023100900"),
            p("ext_lms", "moodle-2"),
            p("ext_user_username", f.username),
            p("ext_submit", "Press to launch this activity"),
            p("launch_presentation_locale", "en"),
        ],
        "blackboard" => vec![
            p("tool_consumer_info_product_family_code", "learn"),
            p("tool_consumer_info_version", "3900.0.0"),
            p("ext_launch_id", &format!("{}-{}", f.course_id, f.user_id)),
            p(
                "ext_launch_presentation_css_url",
                &format!("https://{}/common/shared.css", f.host),
            ),
        ],
        "brightspace" => vec![
            p("tool_consumer_info_product_family_code", "desire2learn"),
            p("tool_consumer_info_version", "20.24.12"),
            p("ext_d2l_username", f.username),
            p("ext_d2l_orgdefinedid", f.user_id),
            p(
                "ext_d2l_role",
                if ext_roles.contains("Instructor") {
                    "Instructor"
                } else {
                    "Student"
                },
            ),
        ],
        "sakai" => vec![
            p("tool_consumer_info_product_family_code", "sakai"),
            p("tool_consumer_info_version", "23.1"),
            p("ext_sakai_eid", f.username),
            p(
                "ext_sakai_role",
                if ext_roles.contains("Instructor") {
                    "maintain"
                } else {
                    "access"
                },
            ),
            p("ext_sakai_server", &format!("https://{}", f.host)),
        ],
        _ => vec![p("tool_consumer_info_product_family_code", "lti-inspector")],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_become_lis_urns() {
        let lis = "http://purl.imsglobal.org/vocab/lis/v2/";
        assert_eq!(
            role_urn(&format!("{lis}membership#Learner")),
            "urn:lti:role:ims/lis/Learner"
        );
        assert_eq!(
            role_urn(&format!("{lis}membership/Instructor#TeachingAssistant")),
            "urn:lti:role:ims/lis/Instructor/TeachingAssistant"
        );
        assert_eq!(
            role_urn(&format!("{lis}institution/person#Faculty")),
            "urn:lti:instrole:ims/lis/Faculty"
        );
        assert_eq!(
            role_urn(&format!("{lis}system/person#Administrator")),
            "urn:lti:sysrole:ims/lis/Administrator"
        );
        assert_eq!(role_urn("Instructor"), "Instructor");
        // Each converted URN is one the 1.1 validator knows.
        for r in [
            "membership#Learner",
            "institution/person#Faculty",
            "system/person#Administrator",
        ] {
            assert!(
                crate::roles::parse_role(&role_urn(&format!("{lis}{r}"))).known,
                "{r}"
            );
        }
    }

    #[test]
    fn custom_names_are_normalised() {
        assert_eq!(custom_name("Chapter Name"), "custom_chapter_name");
        assert_eq!(custom_name("canvas.api-domain"), "custom_canvas_api_domain");
    }

    #[test]
    fn every_profile_names_its_product() {
        let f = LaunchFacts {
            user_id: "u",
            username: "user",
            course_id: "c",
            roles: &[],
            host: "lms.example",
            outcome_url: Some("https://lms.example/o"),
        };
        for profile in LMS_PROFILES {
            let ext = lms_extensions(profile, &f);
            assert!(
                ext.iter()
                    .any(|(k, _)| k == "tool_consumer_info_product_family_code"),
                "{profile}"
            );
        }
    }
}
