//! LTI's vocabulary in one place: claim URIs, service scopes, media types and role URIs. Every
//! crate names them from here instead of repeating the literals (a typo in a URI is a silent
//! "claim missing").

/// Claim names of LTI Core 1.3, Deep Linking 2.0, AGS 2.0, NRPS 2.0 and Proctoring.
pub mod claim {
    pub const MESSAGE_TYPE: &str = "https://purl.imsglobal.org/spec/lti/claim/message_type";
    pub const VERSION: &str = "https://purl.imsglobal.org/spec/lti/claim/version";
    pub const DEPLOYMENT_ID: &str = "https://purl.imsglobal.org/spec/lti/claim/deployment_id";
    pub const TARGET_LINK_URI: &str = "https://purl.imsglobal.org/spec/lti/claim/target_link_uri";
    pub const RESOURCE_LINK: &str = "https://purl.imsglobal.org/spec/lti/claim/resource_link";
    pub const ROLES: &str = "https://purl.imsglobal.org/spec/lti/claim/roles";
    pub const ROLE_SCOPE_MENTOR: &str =
        "https://purl.imsglobal.org/spec/lti/claim/role_scope_mentor";
    pub const CONTEXT: &str = "https://purl.imsglobal.org/spec/lti/claim/context";
    pub const TOOL_PLATFORM: &str = "https://purl.imsglobal.org/spec/lti/claim/tool_platform";
    pub const LAUNCH_PRESENTATION: &str =
        "https://purl.imsglobal.org/spec/lti/claim/launch_presentation";
    pub const CUSTOM: &str = "https://purl.imsglobal.org/spec/lti/claim/custom";
    pub const LIS: &str = "https://purl.imsglobal.org/spec/lti/claim/lis";
    pub const LTI1P1: &str = "https://purl.imsglobal.org/spec/lti/claim/lti1p1";
    pub const FOR_USER: &str = "https://purl.imsglobal.org/spec/lti/claim/for_user";
    pub const AGS_ENDPOINT: &str = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint";
    pub const NRPS: &str = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice";
    pub const DL_SETTINGS: &str =
        "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings";
    pub const DL_CONTENT_ITEMS: &str = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items";
    pub const DL_DATA: &str = "https://purl.imsglobal.org/spec/lti-dl/claim/data";
    pub const DL_MSG: &str = "https://purl.imsglobal.org/spec/lti-dl/claim/msg";
    pub const DL_LOG: &str = "https://purl.imsglobal.org/spec/lti-dl/claim/log";
    pub const DL_ERRORMSG: &str = "https://purl.imsglobal.org/spec/lti-dl/claim/errormsg";
    pub const DL_ERRORLOG: &str = "https://purl.imsglobal.org/spec/lti-dl/claim/errorlog";
    pub const AP_ATTEMPT: &str = "https://purl.imsglobal.org/spec/lti-ap/claim/attempt_number";
    pub const AP_START_URL: &str =
        "https://purl.imsglobal.org/spec/lti-ap/claim/start_assessment_url";
    /// Prefixes of the core and deep linking claim families.
    pub const LTI_PREFIX: &str = "https://purl.imsglobal.org/spec/lti/claim/";
    pub const DL_PREFIX: &str = "https://purl.imsglobal.org/spec/lti-dl/claim/";
}

/// Service scopes a tool can be granted (AGS 2.0 §3.1, NRPS 2.0 §3.6.1).
/// The key of the LTI section in a platform's OpenID configuration (Dynamic Registration).
pub const PLATFORM_CONFIGURATION: &str =
    "https://purl.imsglobal.org/spec/lti-platform-configuration";

/// LTI message types (the `message_type` claim) the sides send and receive.
pub mod message {
    pub const RESOURCE_LINK: &str = "LtiResourceLinkRequest";
    pub const DEEP_LINKING: &str = "LtiDeepLinkingRequest";
    pub const DEEP_LINKING_RESPONSE: &str = "LtiDeepLinkingResponse";
    pub const SUBMISSION_REVIEW: &str = "LtiSubmissionReviewRequest";
}

/// Context types (the `context.type` claim).
pub mod context_type {
    pub const COURSE_OFFERING: &str =
        "http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering";
}

pub mod scope {
    pub const LINEITEM: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem";
    pub const LINEITEM_READONLY: &str =
        "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly";
    pub const RESULT_READONLY: &str =
        "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly";
    pub const SCORE: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/score";
    pub const NRPS: &str =
        "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly";
    pub const ALL: &[&str] = &[LINEITEM, LINEITEM_READONLY, RESULT_READONLY, SCORE, NRPS];
    pub const AGS: &[&str] = &[LINEITEM, LINEITEM_READONLY, RESULT_READONLY, SCORE];
}

/// Media types of the services (AGS 2.0 §3.2–3.4, NRPS 2.0 §2.2), and how headers carry them.
pub mod media {
    pub const LINEITEM: &str = "application/vnd.ims.lis.v2.lineitem+json";
    pub const LINEITEM_CONTAINER: &str = "application/vnd.ims.lis.v2.lineitemcontainer+json";
    pub const SCORE: &str = "application/vnd.ims.lis.v1.score+json";
    pub const RESULT_CONTAINER: &str = "application/vnd.ims.lis.v2.resultcontainer+json";
    pub const MEMBERSHIP_CONTAINER: &str =
        "application/vnd.ims.lti-nrps.v2.membershipcontainer+json";

    /// The media type of a Content-Type or Accept item without its parameters, lower-cased
    /// (media types compare case-insensitively, RFC 9110 §8.3.1).
    pub fn base(value: &str) -> String {
        value
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    }
}

/// Role URIs (LTI Core Appendix A.2).
pub mod role {
    pub const INSTRUCTOR: &str = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor";
    pub const LEARNER: &str = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner";
    pub const MENTOR: &str = "http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor";
    pub const CONTENT_DEVELOPER: &str =
        "http://purl.imsglobal.org/vocab/lis/v2/membership#ContentDeveloper";
    pub const ADMINISTRATOR: &str =
        "http://purl.imsglobal.org/vocab/lis/v2/membership#Administrator";
    pub const TEACHING_ASSISTANT: &str =
        "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant";
    pub const TEST_USER: &str = "http://purl.imsglobal.org/vocab/lti/system/person#TestUser";
    pub const SYSTEM_USER: &str = "http://purl.imsglobal.org/vocab/lis/v2/system/person#User";
    pub const SYSTEM_ADMIN: &str =
        "http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator";
    pub const INSTITUTION_FACULTY: &str =
        "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Faculty";
    pub const INSTITUTION_STUDENT: &str =
        "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Student";
    pub const INSTITUTION_STAFF: &str =
        "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Staff";

    /// A context role given by its short name (`Instructor`, `TeachingAssistant`, `TestUser`…)
    /// or as a full URI; short names become the full vocabulary URI.
    pub fn context_role(name: &str) -> String {
        let n = name.trim();
        match n {
            "Instructor" => INSTRUCTOR.into(),
            "Learner" => LEARNER.into(),
            "Mentor" => MENTOR.into(),
            "ContentDeveloper" => CONTENT_DEVELOPER.into(),
            "Administrator" => ADMINISTRATOR.into(),
            "TeachingAssistant" => TEACHING_ASSISTANT.into(),
            "TestUser" => TEST_USER.into(),
            other => other.to_string(),
        }
    }

    /// Whether a role URI is (a sub-role of) the given core context role.
    pub fn is(uri: &str, core: &str) -> bool {
        let name = core.rsplit('#').next().unwrap_or(core);
        uri == core || uri.contains(&format!("/membership/{name}#"))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn media_type_parameters_and_case_do_not_matter() {
        assert_eq!(
            super::media::base(" Application/X-WWW-Form-Urlencoded ; charset=UTF-8"),
            "application/x-www-form-urlencoded"
        );
        assert_eq!(super::media::base(""), "");
    }

    #[test]
    fn short_role_names_become_uris() {
        assert_eq!(super::role::context_role("Learner"), super::role::LEARNER);
        assert!(super::role::is(
            super::role::TEACHING_ASSISTANT,
            super::role::INSTRUCTOR
        ));
    }
}
