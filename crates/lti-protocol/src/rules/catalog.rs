//! The catalog itself: one entry per check, grouped by flow step. Reviewed like code; the
//! `covers` numbers point at the items of LTI-NOTES §2 that each rule implements.

use super::Rule;
use crate::finding::Severity::{self, Error, Info, Warning};

macro_rules! sf {
    ($a:literal) => {
        concat!("https://www.imsglobal.org/spec/security/v1p0/", $a)
    };
}
macro_rules! core {
    ($a:literal) => {
        concat!("https://www.imsglobal.org/spec/lti/v1p3/", $a)
    };
}
macro_rules! dl {
    ($a:literal) => {
        concat!("https://www.imsglobal.org/spec/lti-dl/v2p0/", $a)
    };
}

const LTI11: &str = "https://www.imsglobal.org/specs/ltiv1p1/implementation-guide";
const RFC5849_SIG: &str = "https://www.rfc-editor.org/rfc/rfc5849#section-3.4";
const RFC5849_NONCE: &str = "https://www.rfc-editor.org/rfc/rfc5849#section-3.3";
const IMPL: &str = "https://www.imsglobal.org/spec/lti/v1p3/impl/";
const AGS: &str = "https://www.imsglobal.org/spec/lti-ags/v2p0/#assignment-and-grade-service-claim";
const NRPS: &str = "https://www.imsglobal.org/spec/lti-nrps/v2p0/#lti-1-3-integration";
const SR: &str = "https://www.imsglobal.org/spec/lti-sr/v1p0/#for-user-claim";
const AP: &str = "https://www.imsglobal.org/spec/proctoring/v1p0/";
const MIGR: &str = "https://www.imsglobal.org/spec/lti/v1p3/migr#lti-1-1-migration-claim";
const CS_OIDC: &str = "https://www.imsglobal.org/spec/lti-cs-oidc/v0p1";
const RFC7518_RSA: &str = "https://www.rfc-editor.org/rfc/rfc7518#section-3.3";
const RFC7519_NBF: &str = "https://www.rfc-editor.org/rfc/rfc7519#section-4.1.5";
const SF_CC: &str =
    "https://www.imsglobal.org/spec/security/v1p0/#using-oauth-2-0-client-credentials-grant";
const SF_JWT: &str = "https://www.imsglobal.org/spec/security/v1p0/#using-json-web-tokens-with-oauth-2-0-client-credentials-grant";
const SF_KEYS: &str = "https://www.imsglobal.org/spec/security/v1p0/#h_message-signing";
const SF_KEYSET: &str = "https://www.imsglobal.org/spec/security/v1p0/#h_key-set-url";
const RFC7523: &str = "https://www.rfc-editor.org/rfc/rfc7523#section-3";
const RFC6750: &str = "https://www.rfc-editor.org/rfc/rfc6750#section-3.1";
const AGS_MEDIA: &str = "https://www.imsglobal.org/spec/lti-ags/v2p0/#media-types-and-schemas";
const AGS_LINEITEM: &str = "https://www.imsglobal.org/spec/lti-ags/v2p0/#line-item-service";
const AGS_SCORE: &str = "https://www.imsglobal.org/spec/lti-ags/v2p0/#score-publish-service";
const NRPS_RLID: &str =
    "https://www.imsglobal.org/spec/lti-nrps/v2p0/#resource-link-membership-service";
const NRPS_ROLE: &str = "https://www.imsglobal.org/spec/lti-nrps/v2p0/#role-filter";
const NRPS_LIMIT: &str = "https://www.imsglobal.org/spec/lti-nrps/v2p0/#limit-query-parameter";

/// Rule id prefixes the platform emulator (in the engine crate) emits about a tool's behaviour;
/// the validators of this crate never quote them.
pub const ENGINE_RULE_PREFIXES: &[&str] = &[
    "token.",
    "service.",
    "ags.lineitem.",
    "ags.score.",
    "nrps.request.",
    "dl.response.",
    "ags.response.",
    "nrps.response.",
    "storage.",
    "import.",
];

const fn r(
    id: &'static str,
    severity: Severity,
    title: &'static str,
    spec_section: &'static str,
    spec_url: &'static str,
    explanation: &'static str,
    covers: &'static [u8],
) -> Rule {
    Rule {
        id,
        severity,
        title,
        spec_section,
        spec_url,
        explanation,
        covers,
    }
}

const STEP1: &str = sf!("#step-1-third-party-initiated-login");
const STEP2: &str = sf!("#step-2-authentication-request");
const STEP3: &str = sf!("#step-3-authentication-response");
const VALIDATION: &str = sf!("#authentication-response-validation");
const ID_TOKEN: &str = sf!("#id-token");

#[rustfmt::skip]
pub static RULES: &[Rule] = &[
    // ── Step 1: third-party initiated login ────────────────────────────────────────────────
    r("login.iss", Error, "Login names the platform issuer", "Security Framework §5.1.1.1", STEP1,
      "The login initiation request MUST carry `iss`, the platform's issuer identifier; the tool uses it to find the registration.", &[1]),
    r("login.iss_registered", Error, "Login issuer is a registered platform", "Security Framework §5.1.1.1", STEP1,
      "`iss` must exactly match the issuer of a registration the tool knows. Hosted Canvas always uses https://canvas.instructure.com (beta/test have their own), never the school domain.", &[1]),
    r("login.login_hint", Error, "login_hint is present", "Security Framework §5.1.1.1", STEP1,
      "`login_hint` is REQUIRED and opaque; the tool must send it back unchanged in the authentication request.", &[2]),
    r("login.target_link_uri", Error, "target_link_uri is present and absolute", "Security Framework §5.1.1.1; LTI Core §4.1", STEP1,
      "`target_link_uri` is REQUIRED: the URL the launch is ultimately for. It must be an absolute URL.", &[3]),
    r("login.target_link_uri_own", Warning, "target_link_uri points at this tool", "LTI Implementation Guide", IMPL,
      "The login request is unsigned, so the tool should check target_link_uri is one of its own URLs before redirecting, or it becomes an open redirect.", &[3]),
    r("login.lti_message_hint", Info, "lti_message_hint recorded for echo", "LTI Core §4.1.1", core!("#lti_message_hint-login-parameter"),
      "Optional and opaque. If present the tool MUST include it unaltered in the authentication request.", &[4]),
    r("login.lti_deployment_id", Warning, "lti_deployment_id is well-formed", "LTI Core §4.1.2", core!("#lti_deployment_id-login-parameter"),
      "Optional. When present it is the deployment the launch is for and MUST equal the id_token's deployment_id claim; at most 255 ASCII characters.", &[5]),
    r("login.canvas_deployment_id_param", Warning, "deployment_id sent instead of lti_deployment_id", "LTI Core §4.1.2", core!("#lti_deployment_id-login-parameter"),
      "The spec names the parameter `lti_deployment_id`. Canvas historically sent `deployment_id` (canvas-lms issue 2201); tools should accept both but the standard name is expected.", &[5]),
    r("login.client_id", Warning, "client_id selects the registration", "LTI Core §4.1.3", core!("#client_id-login-parameter"),
      "Optional. Lets one issuer have several registrations; tools key registrations by (iss, client_id). Without it the tool falls back to a per-issuer default.", &[6]),
    r("login.extras", Info, "Platform extras in the login request", "LTI Core §4.1", core!("#additional-login-parameters"),
      "Extras such as lti_storage_target (platform storage), canvas_region and canvas_environment are shown, not required.", &[7]),
    // ── Step 2: authentication request ─────────────────────────────────────────────────────
    r("auth.scope", Error, "scope is openid", "Security Framework §5.1.1.2", STEP2, "The authentication request MUST have scope=openid.", &[8]),
    r("auth.response_type", Error, "response_type is id_token", "Security Framework §5.1.1.2", STEP2, "The authentication request MUST have response_type=id_token.", &[9]),
    r("auth.response_mode", Error, "response_mode is form_post", "Security Framework §5.1.1.2", STEP2, "The authentication request MUST have response_mode=form_post.", &[10]),
    r("auth.prompt", Error, "prompt is none", "Security Framework §5.1.1.2", STEP2, "The authentication request MUST have prompt=none: the user is already logged in to the platform.", &[11]),
    r("auth.client_id", Error, "client_id is the registered one", "Security Framework §5.1.1.2", STEP2,
      "`client_id` is REQUIRED and must be the tool's client id at this platform (and equal the login's client_id when one was sent).", &[12]),
    r("auth.redirect_uri", Error, "redirect_uri exactly matches a registered one", "Security Framework §5.1.1.2", STEP2,
      "`redirect_uri` is REQUIRED and must exactly match a redirect URI registered on the platform; trailing slashes, ports and query strings count.", &[13]),
    r("auth.login_hint", Error, "login_hint echoed unchanged", "Security Framework §5.1.1.2", STEP2,
      "`login_hint` is REQUIRED and must be the value the platform sent in the login request.", &[14]),
    r("auth.lti_message_hint", Error, "lti_message_hint echoed unchanged", "LTI Core §4.1.1", core!("#lti_message_hint-login-parameter"),
      "If the login carried lti_message_hint the tool MUST include it back unaltered.", &[4, 14]),
    r("auth.nonce", Error, "nonce is present", "Security Framework §5.1.1.2", STEP2,
      "`nonce` is REQUIRED; the tool stores it and checks the id_token's nonce against it.", &[15]),
    r("auth.state", Warning, "state is present", "Security Framework §5.1.1.2; §7.3.1", STEP2,
      "`state` is RECOMMENDED and effectively required against login CSRF; bind it to the browser with a SameSite=None; Secure cookie or platform storage.", &[16]),
    // ── Step 3: authentication response ────────────────────────────────────────────────────
    r("response.id_token", Error, "Form post carries an id_token", "Security Framework §5.1.1.3", STEP3,
      "The platform form-POSTs `id_token` (and `state`) to the redirect_uri, or an `error`.", &[17]),
    r("response.error", Error, "Platform returned an authentication error", "Security Framework §5.1.1.5", sf!("#authentication-error-response"),
      "The platform answered with an OIDC error instead of an id_token. Canvas's launch_no_longer_valid means the lti_message_hint expired or was already used.", &[17]),
    r("response.state", Error, "state matches the value stored at login", "Security Framework §7.3.1", sf!("#prohibiting-the-login-csrf-vulnerability"),
      "The returned state must equal the one the tool stored in step 2 (cookie or platform storage); it is single use.", &[18]),
    r("response.storage_target", Info, "Platform storage offered", "LTI Client Side postMessages (lti-cs-oidc)", CS_OIDC,
      "lti_storage_target means the platform supports postMessage storage (lti.put_data/lti.get_data), the cookieless way to keep state.", &[17]),
    r("storage.flow", Warning, "A platform-storage log names a flow of this tool", "LTI Client Side postMessages (lti-cs-oidc)", CS_OIDC,
      "The launch page reports its postMessage exchange with the flow it belongs to. A log naming a flow this tool never started comes from a page of an earlier run or a forged post; it is recorded on a flow of its own.", &[]),
    // ── JWS ────────────────────────────────────────────────────────────────────────────────
    r("jwt.format", Error, "id_token is a compact JWS", "Security Framework §5.1.3; RFC 7515 §7.1", VALIDATION,
      "The id_token must be three base64url segments (header.payload.signature) whose header and payload are JSON objects.", &[19]),
    r("jwt.alg", Error, "Signed with RS256", "Security Framework §5.1.3", VALIDATION,
      "alg SHOULD be RS256 (the only one LTI platforms use). `none` and HS* are refused before any key is used: an HS256 token 'signed' with the platform's public key is the classic key-confusion attack.", &[19, 24]),
    r("jwt.kid", Error, "Header kid selects a platform key", "Security Framework §6.3", sf!("#h_key-set-url"),
      "The header `kid` selects the key in the platform JWKS. A miss usually means the wrong JWKS URL (e.g. Canvas test vs prod) or a rotated key: re-fetch the JWKS.", &[19]),
    r("jwt.signature", Error, "Signature verifies with the platform key", "Security Framework §5.1.3", VALIDATION,
      "The tool MUST validate the signature (RFC 7515 §5.2) with the platform's public key. Skipped when no key is available, which makes the verdict 'unverified'.", &[19]),
    r("jwt.key_strength", Warning, "Platform key is at least 2048 bits", "RFC 7518 §3.3", RFC7518_RSA,
      "RS256 requires RSA keys of 2048 bits or more. Smaller keys still verify here, but are weak.", &[19]),
    r("import.keys", Info, "Keys an imported message was checked with", "Security Framework §6.3", SF_KEYSET,
      "An imported message (HAR file, pasted token) is verified with the registered platform's pasted key, a key set found in the same HAR, or — on request — the platform's JWKS fetched at import time. Platforms rotate keys (Canvas monthly): a key fetched now may not be the one that signed a launch recorded weeks ago, and a missing kid then means rotation, not forgery.", &[19]),
    // ── ID token (OIDC) claims ─────────────────────────────────────────────────────────────
    r("idtoken.iss", Error, "iss is present", "Security Framework §5.1.2", ID_TOKEN,
      "`iss` is REQUIRED: the platform's issuer identifier (case-sensitive URL, no query or fragment).", &[20, 28]),
    r("idtoken.iss_registered", Error, "iss exactly matches the platform issuer", "Security Framework §5.1.3", VALIDATION,
      "The issuer identifier of the platform MUST exactly match the iss claim (and the login's iss). A trailing slash or http vs https is a mismatch.", &[20]),
    r("idtoken.aud", Error, "aud contains the tool's client_id", "Security Framework §5.1.3", VALIDATION,
      "aud may be a string or an array; the tool MUST reject the token if its client_id is not among the audiences (HTTP 401).", &[21, 28]),
    r("idtoken.aud_extra", Error, "No untrusted extra audiences", "Security Framework §5.1.3", VALIDATION,
      "The tool MUST reject an id_token that lists additional audiences it does not trust.", &[21]),
    r("idtoken.azp", Error, "azp, when present, is the tool's client_id", "Security Framework §5.1.3", VALIDATION,
      "If azp is present the tool SHOULD verify it is its client_id; a token authorized for another party is rejected by libraries (ltijs AZP_DOES_NOT_MATCH_CLIENTID).", &[23]),
    r("idtoken.azp_present", Warning, "azp present when there are several audiences", "Security Framework §5.1.3", VALIDATION,
      "If the id_token contains multiple audiences, the tool SHOULD verify that an azp claim is present.", &[22, 28]),
    r("idtoken.exp", Error, "Token not expired", "Security Framework §5.1.3", VALIDATION,
      "The current time MUST be before exp (plus a small leeway for clock skew). Moodle id_tokens live 60 s.", &[25, 28]),
    r("idtoken.iat", Error, "iat present and not in the future", "Security Framework §5.1.3", VALIDATION,
      "iat is REQUIRED. A token issued in the future (beyond the leeway) means clock skew: libraries fail with 'token is not yet valid (iat)'.", &[26, 28]),
    r("idtoken.iat_age", Warning, "Token not issued too long ago", "Security Framework §5.1.3", VALIDATION,
      "The tool MAY reject tokens issued too far in the past; checked only when a maximum age is configured.", &[26]),
    r("idtoken.nbf", Error, "Token already valid (nbf)", "RFC 7519 §4.1.5", RFC7519_NBF,
      "When nbf is present the token MUST NOT be accepted before that time (leeway applies).", &[26]),
    r("idtoken.nonce", Error, "nonce present and matches the request", "Security Framework §5.1.3", VALIDATION,
      "The id_token MUST contain a nonce, and it must be the nonce the tool sent in the authentication request.", &[27, 28]),
    r("idtoken.nonce_replay", Error, "nonce not received before", "Security Framework §5.1.3", VALIDATION,
      "The tool SHOULD verify it has not already received this nonce; a replayed id_token is rejected (NONCE_ALREADY_RECEIVED).", &[27]),
    r("idtoken.sub", Error, "sub identifies the user", "LTI Core §5.3.6", core!("#user-identity-claims"),
      "sub is the stable user id within iss (at most 255 ASCII characters). It may be absent only in an anonymous launch (§5.3.6.1).", &[28, 34]),
    r("idtoken.user_claims", Warning, "OIDC user claims are well-typed, and absent from anonymous launches", "LTI Core §5.3.6", core!("#user-identity-claims"),
      "Optional OIDC claims (name, given_name, family_name, middle_name, email, picture, locale) are strings when present; an anonymous launch (no sub, §5.3.6.1) carries none of the identity claims.", &[34]),
    // ── LTI Core claims ────────────────────────────────────────────────────────────────────
    r("lti.message_type", Error, "message_type is a known LTI message", "LTI Core §5.3.1", core!("#message-type-claim"),
      "Every LTI message carries message_type (LtiResourceLinkRequest, LtiDeepLinkingRequest, LtiSubmissionReviewRequest, proctoring and other messages).", &[29, 41]),
    r("lti.version", Error, "version is 1.3.0", "LTI Core §5.3.2", core!("#lti-version-claim"), "The version claim MUST be \"1.3.0\".", &[30]),
    r("lti.deployment_id", Error, "deployment_id is present and well-formed", "LTI Core §5.3.3", core!("#lti-deployment-id-claim"),
      "Every message MUST include deployment_id: a case-sensitive string of at most 255 ASCII characters, stable within the iss.", &[31]),
    r("lti.deployment_known", Error, "deployment_id is known for this registration", "LTI Core §3.1.3", core!("#tool-deployment"),
      "The tool must know the deployment for (iss, client_id). New deployments appear after course copies or sub-account installs; tools MUST allow several deployments per client_id.", &[31]),
    r("lti.deployment_matches_login", Error, "deployment_id equals the login's lti_deployment_id", "LTI Core §4.1.2", core!("#lti_deployment_id-login-parameter"),
      "If the login carried lti_deployment_id, the id_token's deployment_id MUST be the same.", &[5, 31]),
    r("lti.target_link_uri", Error, "target_link_uri claim is present", "LTI Core §5.3.4", core!("#target-link-uri"),
      "The resolved launch URL; a tool relies on this signed claim (not the unsigned login parameter) for the final redirect.", &[32]),
    r("lti.target_link_uri_matches_login", Error, "target_link_uri equals the login's", "LTI Core §5.3.4", core!("#target-link-uri"),
      "The claim MUST be the same value as the target_link_uri passed in the login request.", &[32]),
    r("lti.resource_link", Error, "resource_link.id is present and well-formed", "LTI Core §5.3.5", core!("#resource-link-claim"),
      "Resource link launches MUST carry resource_link with an id of at most 255 ASCII characters (it changes on copy/import); title and description are optional strings.", &[33, 40]),
    r("lti.roles", Error, "roles is an array with recognised roles", "LTI Core §5.3.7", core!("#roles-claim"),
      "roles is REQUIRED and may be empty; if not empty it MUST contain at least one role from the LTI role vocabularies.", &[35]),
    r("lti.roles_deprecated", Warning, "No deprecated role forms", "LTI Core Appendix A.2", core!("#role-vocabularies"),
      "Simple names (Instructor), urn:lti: values and …/v2/person# URIs without system/institution are deprecated; send full vocabulary URIs.", &[35]),
    r("lti.roles_context", Info, "User has a role in the context", "LTI Core §5.3.7", core!("#roles-claim"),
      "Shows whether the user has a context (membership) role; admins often launch with only system/institution roles, which tools gating on Instructor/Learner may refuse.", &[35]),
    r("lti.role_scope_mentor", Error, "role_scope_mentor only with the Mentor role", "LTI Core §5.4.4", core!("#role-scope-mentor-claims"),
      "role_scope_mentor is an array of user ids and MUST NOT be sent unless membership#Mentor is among the roles (an empty array, as Canvas sends for everyone, grants nothing and passes).", &[36]),
    r("lti.context", Error, "context has a well-formed id", "LTI Core §5.4.1", core!("#context-claim"),
      "context is optional; when present id is REQUIRED (at most 255 ASCII characters) and label/title are strings.", &[36]),
    r("lti.context_type", Warning, "context.type values are vocabulary URIs", "LTI Core Appendix A.1", core!("#context-type-vocabulary"),
      "context.type is an array of strings, by best practice from the context type vocabulary (course#CourseOffering, …).", &[36]),
    r("lti.tool_platform", Error, "tool_platform has a guid", "LTI Core §5.4.2", core!("#platform-instance-claim"),
      "tool_platform is optional; when present guid is REQUIRED (at most 255 ASCII characters).", &[36]),
    r("lti.tool_platform_family_code", Warning, "tool_platform uses product_family_code", "LTI Core §5.4.2", core!("#platform-instance-claim"),
      "The member is product_family_code. Old Moodle versions sent family_code, which tools reading the standard name miss.", &[36]),
    r("lti.launch_presentation", Error, "launch_presentation is well-formed", "LTI Core §5.4.3", core!("#launch-presentation-claim"),
      "document_target is one of frame, iframe, window; height and width are numbers; locale and return_url are strings.", &[36]),
    r("lti.launch_presentation_return_url", Warning, "return_url is an absolute URL", "LTI Core §5.4.3", core!("#launch-presentation-claim"),
      "return_url must be an absolute URL the tool can redirect to with lti_msg, lti_log, lti_errormsg and lti_errorlog query parameters.", &[36]),
    r("lti.lis", Warning, "lis members are strings", "LTI Core §5.4.5", core!("#learning-information-services-lis-claim"),
      "The lis claim carries person and course sourcedids as strings.", &[36]),
    r("lti.custom", Error, "custom values are strings", "LTI Core §5.4.6", core!("#custom-properties-and-variable-substitution"),
      "custom is an object whose values MUST be strings (\"\" is valid, null is not).", &[36]),
    r("lti.variables_unexpanded", Info, "Substitution variables left unexpanded", "LTI Core §5.4.6", core!("#custom-properties-and-variable-substitution"),
      "A value like $Person.sourcedId means the platform could not (or chose not to) substitute the variable; the tool receives the literal text.", &[36]),
    r("lti.vendor_claims", Warning, "Extension claims use fully qualified names", "LTI Core §5.4.7", core!("#vendor-specific-extension-claims"),
      "Vendor extension claims MUST be named by a fully qualified URL (e.g. https://www.instructure.com/placement) so they never collide with standard claims.", &[36]),
    r("lti.unknown_claims", Info, "Claims this inspector does not know", "LTI Core §5.4.7", core!("#vendor-specific-extension-claims"),
      "Receivers MUST ignore claims they do not understand; they are listed for information, never as errors.", &[37]),
    r("lti.https_urls", Warning, "URLs in the message use https", "LTI Core §3.5", core!("#securing_web_services"),
      "HTTPS MUST be used for all URLs inside messages and for services. http on localhost/127.0.0.1 is tolerated for development.", &[38]),
    r("lti.lti1p1", Warning, "LTI 1.1 migration claim", "LTI 1.3 Migration Guide", MIGR,
      "lti1p1 carries the LTI 1.1 user_id, resource_link_id, context_id and oauth_consumer_key so a tool can map its 1.1 records to the 1.3 launch; oauth_consumer_key_sign = base64(HMAC-SHA256 with the 1.1 secret of oauth_consumer_key & deployment_id & iss & client_id & exp & nonce) proves the platform holds the 1.1 secret. Checked when that consumer's secret is registered.", &[42]),
    // ── Deep Linking ───────────────────────────────────────────────────────────────────────
    r("dl.settings", Error, "deep_linking_settings is present", "Deep Linking 2.0 §4.4.1", dl!("#deep-linking-settings"),
      "An LtiDeepLinkingRequest MUST carry the deep_linking_settings claim (it replaces resource_link).", &[39]),
    r("dl.deep_link_return_url", Error, "deep_link_return_url is an absolute URL", "Deep Linking 2.0 §4.4.1", dl!("#deep-linking-settings"),
      "REQUIRED: where the tool POSTs its LtiDeepLinkingResponse (form field JWT). It must be an absolute URL.", &[39]),
    r("dl.accept_types", Error, "accept_types is a non-empty array", "Deep Linking 2.0 §4.4.1", dl!("#deep-linking-settings"),
      "REQUIRED: the content item types the platform accepts (link, file, html, ltiResourceLink, image).", &[39]),
    r("dl.accept_presentation_document_targets", Error, "accept_presentation_document_targets is present", "Deep Linking 2.0 §4.4.1", dl!("#deep-linking-settings"),
      "REQUIRED: the presentation targets the platform supports (iframe, window, embed).", &[39]),
    r("dl.settings_options", Warning, "Optional settings are well-typed", "Deep Linking 2.0 §4.4.1", dl!("#deep-linking-settings"),
      "accept_media_types is a comma-separated string; accept_multiple, accept_lineitem and auto_create are booleans; title and text are strings.", &[39]),
    r("dl.data", Info, "data must be echoed in the response", "Deep Linking 2.0 §4.4.1", dl!("#deep-linking-settings"),
      "If data is present the tool MUST return it unaltered in the response's https://purl.imsglobal.org/spec/lti-dl/claim/data claim.", &[39]),
    r("dl.content_items", Error, "content_items is an array of typed items", "Deep Linking 2.0 §4.5", dl!("#deep-linking-response-message"),
      "A deep linking response carries content_items (possibly empty); each item has a type and the members that type requires (link/file/image need url, html needs html).", &[39]),
    r("dl.response_data", Error, "Response echoes the request data", "Deep Linking 2.0 §4.5", dl!("#deep-linking-response-message"),
      "When the request's deep_linking_settings carried data, the response MUST return the same value.", &[39]),
    r("dl.response_messages", Warning, "msg, log, errormsg, errorlog are strings", "Deep Linking 2.0 §4.5", dl!("#deep-linking-response-message"),
      "The optional user and log messages of a deep linking response are plain strings.", &[39]),
    // ── Other message types ────────────────────────────────────────────────────────────────
    r("sr.for_user", Error, "for_user identifies the reviewed user", "Submission Review 1.0", SR,
      "LtiSubmissionReviewRequest MUST carry the for_user claim with the user_id whose submission is reviewed.", &[40]),
    r("sr.ags_lineitem", Error, "AGS claim names the line item", "Submission Review 1.0", SR,
      "A submission review launch is about one line item: the AGS endpoint claim must carry lineitem.", &[40]),
    r("ap.attempt_number", Error, "attempt_number is present", "Proctoring Services 1.0", AP,
      "LtiStartProctoring and LtiStartAssessment carry https://purl.imsglobal.org/spec/lti-ap/claim/attempt_number (an integer).", &[41]),
    r("ap.start_assessment_url", Error, "start_assessment_url is present", "Proctoring Services 1.0", AP,
      "LtiStartProctoring carries the URL the proctoring tool sends the user back to with an LtiStartAssessment message.", &[41]),
    // ── Service claims ─────────────────────────────────────────────────────────────────────
    r("ags.endpoint", Warning, "AGS endpoint claim is well-formed", "Assignment and Grade Services 2.0 §3.1", AGS,
      "scope is an array of scope strings; lineitems and lineitem are absolute URLs (lineitem only when the link has exactly one line item).", &[36, 38]),
    r("nrps.endpoint", Warning, "NRPS claim is well-formed", "Names and Role Provisioning Services 2.0 §3.6.1.1", NRPS,
      "context_memberships_url is an absolute URL and service_versions lists \"2.0\".", &[36, 38]),
    // ── Tool behaviour seen by the platform emulator (emitted by the engine, not validate/) ─
    // Token endpoint: OAuth 2 client credentials with a JWT client assertion.
    r("token.content_type", Error, "Token request is form-encoded", "RFC 6749 §4.4.2", "https://www.rfc-editor.org/rfc/rfc6749#section-4.4.2",
      "The token request is a POST with Content-Type application/x-www-form-urlencoded; a JSON body is refused with invalid_request.", &[]),
    r("token.grant_type", Error, "grant_type is client_credentials", "Security Framework §4.1", SF_CC,
      "LTI services use the OAuth 2 client credentials grant: grant_type=client_credentials. Anything else is answered unsupported_grant_type.", &[]),
    r("token.assertion_type", Error, "client_assertion_type is jwt-bearer", "Security Framework §4.1.1; RFC 7523 §2.2", SF_JWT,
      "client_assertion_type MUST be urn:ietf:params:oauth:client-assertion-type:jwt-bearer and client_assertion the signed JWT.", &[]),
    r("token.assertion", Error, "client_assertion is a compact JWS", "RFC 7523 §3", RFC7523,
      "The client assertion is a signed JWT (header.payload.signature) whose header and payload are JSON objects.", &[]),
    r("token.client_id", Error, "Assertion iss is a registered client_id", "LTI Core §6.2; Security Framework §4.1.1", SF_JWT,
      "The assertion's iss (and sub) MUST be the tool's OAuth 2 client_id on this platform; an unknown client is answered invalid_client (401).", &[]),
    r("token.sub", Error, "Assertion sub equals iss", "LTI Core §6.2; RFC 7523 §3", RFC7523,
      "\"The client assertion JWT iss and sub must both be the OAuth 2 client_id\" of the tool.", &[]),
    r("token.aud", Error, "Assertion aud is the token endpoint", "RFC 7523 §3", RFC7523,
      "aud MUST identify the authorization server: the token endpoint URL exactly (a trailing slash or another port is a mismatch — Canvas answers \"the 'aud' is invalid\").", &[]),
    r("token.exp", Error, "Assertion not expired", "RFC 7523 §3", RFC7523,
      "exp is REQUIRED and the assertion MUST be refused after it (a small leeway allows for clock skew). Assertions should live a few minutes at most.", &[]),
    r("token.iat", Warning, "Assertion iat not in the future", "RFC 7523 §3", RFC7523,
      "iat in the future (beyond the leeway) means the tool's clock is ahead; some platforms refuse such assertions.", &[]),
    r("token.jti", Error, "Assertion has a jti", "Security Framework §4.1.1; RFC 7523 §3", SF_JWT,
      "jti is the assertion's unique id, which the platform uses to refuse replays; LTI requires it.", &[]),
    r("token.jti_replay", Error, "Assertion jti not used before", "RFC 7523 §3", RFC7523,
      "The platform MAY refuse a JWT whose jti it has already seen: an assertion is single use. Mint a new one (new jti) for every token request.", &[]),
    r("token.alg", Error, "Assertion signed with RS256", "Security Framework §6.1", SF_KEYS,
      "Client assertions are signed RS256; none and HS* are refused before any key is used.", &[]),
    r("token.kid", Error, "Assertion kid selects a tool key", "Security Framework §6.3", SF_KEYSET,
      "The header kid must name a key of the tool's registered JWKS (URL or pasted key). A miss usually means a rotated key or the wrong key set URL.", &[]),
    r("token.signature", Error, "Assertion signature verifies with the tool's key", "Security Framework §4.1.1", SF_JWT,
      "The platform verifies the assertion with the public key registered for the tool; a failure is answered invalid_client.", &[]),
    r("token.scope", Error, "Requested scopes are granted to the tool", "Security Framework §4.1; RFC 6749 §5.2", SF_CC,
      "Every requested scope must be one the tool was granted at registration; otherwise invalid_scope. Asking for lineitem.readonly when only lineitem was granted is a classic mistake.", &[]),
    r("token.deployment_id", Warning, "Assertion names a deployment of the tool", "LTI Core §6.2.1", core!("#deployment-id-claim-in-token-requests"),
      "The assertion SHOULD carry the deployment_id claim of the deployment the tool acts for; when present it must be one of the tool's deployments.", &[]),
    // Service calls (AGS, NRPS).
    r("service.bearer", Error, "Access token present and valid", "Security Framework §4.1; RFC 6750 §3.1", RFC6750,
      "Service calls carry Authorization: Bearer <token from the token endpoint>. A missing, unknown or expired token is answered 401 with WWW-Authenticate.", &[]),
    r("service.scope", Error, "Access token carries the needed scope", "RFC 6750 §3.1; AGS 2.0 §3.1", RFC6750,
      "Each service needs its scope (lineitem or lineitem.readonly to read line items, lineitem to change them, score to post scores, result.readonly for results, contextmembership.readonly for NRPS); otherwise 403 insufficient_scope.", &[]),
    r("service.context", Error, "The service URL is for a course the tool is deployed in", "AGS 2.0 §3.1; NRPS 2.0 §2.1", AGS,
      "Tools call the service URLs the launch gave them (the AGS endpoint claim, the NRPS context_memberships_url): a URL of a course that does not exist, or where the tool has no deployment, is answered 404 or 403.", &[]),
    r("service.media_type", Error, "Content-Type is the service's media type", "AGS 2.0 §3.2–3.4", AGS_MEDIA,
      "Line items are sent as application/vnd.ims.lis.v2.lineitem+json and scores as application/vnd.ims.lis.v1.score+json; another Content-Type is answered 415.", &[]),
    r("service.accept", Warning, "Accept names the service's media type", "AGS 2.0 §3.2; NRPS 2.0 §2.2", AGS_MEDIA,
      "GETs should ask for the container media type (lineitemcontainer, resultcontainer, membershipcontainer). The emulator answers anyway; strict platforms answer 406.", &[]),
    // Service responses, checked by the tool side's service client.
    r("service.token_response", Error, "Token response carries a Bearer access token", "Security Framework §4.1; RFC 6749 §5.1", SF_CC,
      "A successful token response is JSON with access_token, token_type Bearer and expires_in (seconds); an error response is 400/401 with {error, error_description}.", &[]),
    r("service.status", Error, "Service answers with a success status", "RFC 9110 §15; AGS 2.0 §3; NRPS 2.0 §2", RFC6750,
      "A GET answers 200, a line item or score POST 200/201/204, a DELETE 200/204. 401 means the token is missing, expired or revoked (the client re-tokens once); 404 an unknown URL; 405 an unsupported method.", &[]),
    r("service.insufficient_scope", Error, "Token has the scope the service needs", "RFC 6750 §3.1; AGS 2.0 §3.1; NRPS 2.0 §3", RFC6750,
      "403 insufficient_scope: the access token lacks the scope this call needs. Request it at the token endpoint; if the launch did not grant it, the platform's registration of the tool must grant it first.", &[]),
    r("service.response_media_type", Warning, "Response Content-Type is the service's media type", "AGS 2.0 §3.2–3.4; NRPS 2.0 §2.2", AGS_MEDIA,
      "Containers are answered as application/vnd.ims.lis.v2.lineitemcontainer+json, vnd.ims.lis.v2.resultcontainer+json or vnd.ims.lti-nrps.v2.membershipcontainer+json, a line item as vnd.ims.lis.v2.lineitem+json. Plain application/json is common and tolerated by most tools.", &[]),
    r("service.response_json", Error, "Response body is the expected JSON", "AGS 2.0 §3; NRPS 2.0 §2.2", AGS_MEDIA,
      "A service answer is JSON: an array for line item and result containers, an object with members for NRPS, an object for a line item.", &[]),
    r("service.link_header", Warning, "Link header is well-formed", "AGS 2.0 §3.2.2; NRPS 2.0 §2.4; RFC 8288", NRPS_LIMIT,
      "Paging uses Link headers (<url>; rel=\"next\", and for NRPS rel=\"differences\"); each target is an absolute URL in angle brackets.", &[]),
    r("service.origin", Error, "Service URL is on an origin the launch named", "Security Framework §4.1; RFC 6750 §5.2", RFC6750,
      "The access token is a bearer credential: it is only sent to the origins of the launch's signed service claims (lineitems, lineitem, context_memberships_url) or the registration's token endpoint. A call to a URL elsewhere is refused before any token is requested.", &[]),
    r("ags.response.lineitem", Error, "Line items have id, label and a positive scoreMaximum", "AGS 2.0 §3.2.4", AGS_LINEITEM,
      "Every line item a platform returns has its id (its URL), a label and scoreMaximum > 0. A platform omitting scoreMaximum breaks tools that scale scores.", &[]),
    r("ags.response.result", Error, "Results have id, scoreOf and userId", "AGS 2.0 §3.3", AGS_LINEITEM,
      "Each result carries id, scoreOf (its line item's URL) and userId; resultScore and resultMaximum when graded (resultMaximum > 0).", &[]),
    r("nrps.response.members", Error, "Membership container has context and members", "NRPS 2.0 §2.2", NRPS,
      "The membership container is {id, context: {id}, members: [...]} and each member has user_id and roles; status is Active, Inactive or Deleted.", &[]),
    // AGS line items.
    r("ags.lineitem.json", Error, "Line item body is a JSON object", "AGS 2.0 §3.2", AGS_LINEITEM,
      "A line item POST or PUT carries one JSON object; malformed JSON is answered 400.", &[]),
    r("ags.lineitem.label", Error, "Line item has a label", "AGS 2.0 §3.2.4", AGS_LINEITEM,
      "label is REQUIRED: the column title in the gradebook. A line item without one is refused with 400.", &[]),
    r("ags.lineitem.score_maximum", Error, "scoreMaximum is a positive number", "AGS 2.0 §3.2.4", AGS_LINEITEM,
      "scoreMaximum is REQUIRED and must be a number greater than 0.", &[]),
    r("ags.lineitem.resource_link_id", Error, "resourceLinkId names a link of the context", "AGS 2.0 §3.2.4", AGS_LINEITEM,
      "When present, resourceLinkId binds the line item to a resource link of the same context; an unknown link is answered 404.", &[]),
    r("ags.lineitem.dates", Error, "startDateTime / endDateTime are ISO 8601", "AGS 2.0 §3.2.4", AGS_LINEITEM,
      "The optional submission window is given as ISO 8601 date-times with a time zone.", &[]),
    r("ags.lineitem.fields", Warning, "Optional line item fields are well-typed", "AGS 2.0 §3.2.4", AGS_LINEITEM,
      "resourceId and tag are strings and gradesReleased a boolean; an id in a PUT body must be the line item's URL.", &[]),
    // AGS scores.
    r("ags.score.json", Error, "Score body is a JSON object", "AGS 2.0 §3.4", AGS_SCORE,
      "A score is one JSON object; malformed JSON is answered 400.", &[]),
    r("ags.score.user_id", Error, "userId is a member of the context", "AGS 2.0 §3.4.3", AGS_SCORE,
      "userId is REQUIRED: the LTI user id (sub) of a member of the line item's context.", &[]),
    r("ags.score.score_given", Error, "scoreGiven is a number ≥ 0", "AGS 2.0 §3.4.4", AGS_SCORE,
      "scoreGiven is optional; when present it is a number greater than or equal to 0.", &[]),
    r("ags.score.score_maximum", Error, "scoreMaximum accompanies scoreGiven", "AGS 2.0 §3.4.4", AGS_SCORE,
      "scoreMaximum MUST be present when scoreGiven is, and be a number greater than 0; the platform scales scoreGiven to the line item's maximum.", &[]),
    r("ags.score.over_maximum", Info, "scoreGiven within scoreMaximum", "AGS 2.0 §3.4.4", AGS_SCORE,
      "A scoreGiven above scoreMaximum is extra credit: allowed, but often a unit mistake (percent vs points).", &[]),
    r("ags.score.activity_progress", Error, "activityProgress is a known value", "AGS 2.0 §3.4.6", AGS_SCORE,
      "activityProgress is REQUIRED: Initialized, Started, InProgress, Submitted or Completed.", &[]),
    r("ags.score.grading_progress", Error, "gradingProgress is a known value", "AGS 2.0 §3.4.7", AGS_SCORE,
      "gradingProgress is REQUIRED: FullyGraded, Pending, PendingManual, Failed or NotReady. Canvas ignores scoreGiven unless FullyGraded or PendingManual.", &[]),
    r("ags.score.timestamp", Error, "timestamp is an RFC 3339 date-time", "AGS 2.0 §3.4.5", AGS_SCORE,
      "timestamp is REQUIRED: when the score was set in the tool, ISO 8601 with time zone (sub-second precision recommended). Platforms order scores by it.", &[]),
    r("ags.score.timestamp_order", Error, "timestamp later than the last accepted score", "AGS 2.0 §3.4.5", AGS_SCORE,
      "The platform MUST NOT update a result with a score older than (or as old as) the last one it accepted; it answers 409 Conflict.", &[]),
    r("ags.score.comment", Warning, "comment and submission are well-typed", "AGS 2.0 §3.4", AGS_SCORE,
      "comment is a plain string; submission.startedAt and submission.submittedAt are ISO 8601 date-times.", &[]),
    // NRPS requests.
    r("nrps.request.rlid", Error, "rlid names a resource link of the context", "NRPS 2.0 §3.4", NRPS_RLID,
      "The rlid filter asks for the members who can access one resource link of the context (and their message claims); an unknown link is answered 400.", &[]),
    r("nrps.request.role", Warning, "role filter is a role URI", "NRPS 2.0 §2.3.1", NRPS_ROLE,
      "The role query parameter is a full role URI (…/membership#Learner); simple names are accepted here but not by every platform.", &[]),
    r("nrps.request.limit", Warning, "limit is a positive integer", "NRPS 2.0 §2.4", NRPS_LIMIT,
      "limit is a page size hint; the next page is found through the Link rel=\"next\" header, never by building URLs.", &[]),
    // Content items, each against the request's settings (composer, emulator preview).
    r("dl.item.type", Warning, "Every item has a known type", "Deep Linking 2.0 §3", dl!("#content-item-types"),
      "ltiResourceLink, link, file, html and image are defined; other types are extension URIs. A platform may ignore an item of a type it does not know: the preview shows it raw.", &[]),
    r("dl.item.accepted", Error, "Item type is in accept_types", "Deep Linking 2.0 §4.4.1", dl!("#deep-linking-settings"),
      "The request's accept_types lists what the platform can place here; an item of another type is refused or dropped.", &[]),
    r("dl.item.fields", Error, "Item's required fields are present and typed", "Deep Linking 2.0 §3", dl!("#content-item-types"),
      "link, file and image items need a url; html items need html; title, text, url and mediaType are strings; icon, thumbnail, iframe, window, embed, available, submission and lineItem are objects.", &[]),
    r("dl.item.url", Error, "Item URLs are absolute http(s)", "Deep Linking 2.0 §3", dl!("#content-item-types"),
      "A platform renders url, icon.url and thumbnail.url as links, images and frames: anything but http(s) (javascript:, data:) is not rendered or followed.", &[]),
    r("dl.item.target", Warning, "Presentation target is accepted", "Deep Linking 2.0 §4.4.1", dl!("#deep-linking-settings"),
      "iframe, window and embed in an item ask for a presentation; the request's accept_presentation_document_targets says which the platform supports.", &[]),
    r("dl.item.media_type", Warning, "File media type is accepted", "Deep Linking 2.0 §4.4.1", dl!("#deep-linking-settings"),
      "accept_media_types (comma-separated, wildcards allowed) limits the files a platform takes.", &[]),
    r("dl.item.line_item", Error, "lineItem is well-formed and accepted", "Deep Linking 2.0 §3.1", dl!("#lti-resource-link"),
      "lineItem asks the platform to create a gradebook column for an ltiResourceLink: scoreMaximum is REQUIRED and positive; label, resourceId and tag are strings; accept_lineitem: false means the platform will not create it.", &[]),
    r("dl.item.custom", Error, "Item custom values are strings", "Deep Linking 2.0 §3.1", dl!("#lti-resource-link"),
      "custom of an ltiResourceLink is a map of string to string; launch-time parameters belong there, not in url query strings.", &[]),
    r("dl.item.dimensions", Warning, "Widths and heights are positive integers", "Deep Linking 2.0 §3", dl!("#content-item-types"),
      "width and height (of an image, icon, thumbnail, iframe, window or embed) are pixels.", &[]),
    r("dl.item.dates", Warning, "Item dates are ISO 8601 and in order", "Deep Linking 2.0 §3.1", dl!("#lti-resource-link"),
      "available and submission windows and a file's expiresAt are ISO 8601 date-times; a window ends after it starts.", &[]),
    r("dl.item.size", Warning, "HTML fragments are of a storable size", "Deep Linking 2.0 §3.4", dl!("#html-fragment"),
      "Platforms store html items and render them inline; a fragment of hundreds of kilobytes is truncated or refused by many.", &[]),
    r("dl.item.multiple", Error, "Several items only when accept_multiple", "Deep Linking 2.0 §4.4.1", dl!("#deep-linking-settings"),
      "When the request's accept_multiple is false the tool returns at most one item.", &[]),
    // Deep linking responses received by the platform.
    r("dl.response.jwt", Error, "Deep linking response carries a JWT", "Deep Linking 2.0 §4.5", dl!("#deep-linking-response-message"),
      "The tool auto-POSTs a form with the field JWT (the signed LtiDeepLinkingResponse) to deep_link_return_url.", &[]),
    r("dl.response.message_type", Error, "message_type is LtiDeepLinkingResponse", "Deep Linking 2.0 §4.5", dl!("#deep-linking-response-message"),
      "The JWT posted to the deep linking return URL must be an LtiDeepLinkingResponse.", &[]),
    r("dl.response.once", Error, "The return URL is used once", "Deep Linking 2.0 §4.5", dl!("#deep-linking-response-message"),
      "A deep linking request is answered by exactly one response; a second post (back button, replay) is refused.", &[]),
    // ── LTI 1.1 launches (OAuth 1.0a) ──────────────────────────────────────────────────────
    r("lti11.oauth_params", Error, "OAuth parameters are present", "RFC 5849 §3.1", "https://www.rfc-editor.org/rfc/rfc5849#section-3.1",
      "An LTI 1.1 launch carries oauth_consumer_key, oauth_signature_method, oauth_timestamp, oauth_nonce and oauth_signature (oauth_version, when sent, is 1.0).", &[43]),
    r("lti11.duplicate_params", Warning, "No parameter is sent twice", "RFC 5849 §3.4.1.3", "https://www.rfc-editor.org/rfc/rfc5849#section-3.4.1.3",
      "Every copy of a repeated parameter is signed; a parameter both in the launch URL's query and in the form, or repeated in the form, is read differently by different tools.", &[]),
    r("lti11.timestamp", Error, "oauth_timestamp is recent", "RFC 5849 §3.3", RFC5849_NONCE,
      "Tools refuse launches signed too long ago (or in the future) to bound replays: oauthlib and most tool libraries allow 5 to 10 minutes; the inspector allows 600 s. A stale timestamp usually means a clock off on one side, or a launch replayed.", &[43]),
    r("lti11.nonce", Error, "oauth_nonce is not reused", "RFC 5849 §3.3", RFC5849_NONCE,
      "A consumer never sends the same nonce with the same timestamp twice; a tool that sees one again refuses it as a replay. Canvas historically repeated nonces on rapid double clicks.", &[43]),
    r("lti11.consumer", Warning, "Consumer key is registered", "LTI 1.1 Implementation Guide §4", LTI11,
      "The tool looks up the shared secret by oauth_consumer_key. An unknown key cannot be verified (the launch is then unverified, not invalid).", &[]),
    r("lti11.signature_method", Error, "Signature method is HMAC-SHA1 (or HMAC-SHA256)", "LTI 1.1 Implementation Guide §4", LTI11,
      "LTI 1.1 signs with HMAC-SHA1; some consumers offer HMAC-SHA256. PLAINTEXT and RSA-SHA1 are not used by LTI.", &[43]),
    r("lti11.signature", Error, "OAuth signature verifies", "RFC 5849 §3.4", RFC5849_SIG,
      "HMAC over the signature base string (method & normalised URL & sorted encoded parameters) keyed by the shared secret. It breaks when the tool sees another URL than the consumer signed (proxy, TLS terminator, port, trailing slash), when query parameters are signed differently, when spaces are encoded as '+', or with a wrong secret: the finding says which.", &[43]),
    r("lti11.base_string", Info, "Signature base string", "RFC 5849 §3.4.1", "https://www.rfc-editor.org/rfc/rfc5849#section-3.4.1",
      "What the tool signs to compare: shown so it can be compared with the consumer's own base string, part by part.", &[]),
    r("lti11.message_type", Error, "lti_message_type is an LTI 1.x message", "LTI 1.1 Implementation Guide §3", LTI11,
      "basic-lti-launch-request for a launch; ContentItemSelectionRequest asks the tool to pick content (Content-Item Message 1.0).", &[43]),
    r("lti11.version", Error, "lti_version is LTI-1p0", "LTI 1.1 Implementation Guide §3", LTI11,
      "LTI 1.0, 1.1 and 1.2 launches all carry lti_version=LTI-1p0.", &[43]),
    r("lti11.resource_link_id", Error, "resource_link_id is present", "LTI 1.1 Implementation Guide §3", LTI11,
      "Required in a basic launch: it names the link (placement) the user clicked, unique within the consumer.", &[43]),
    r("lti11.content_item", Error, "Content-item request is complete", "Content-Item Message 1.0 §3", "https://www.imsglobal.org/specs/lticiv1p0/specification",
      "A ContentItemSelectionRequest says where to send the selection (content_item_return_url) and what the consumer accepts (accept_media_types, accept_presentation_document_targets).", &[]),
    r("lti11.user_id", Warning, "user_id is present", "LTI 1.1 Implementation Guide §3", LTI11,
      "Recommended: the consumer's stable, opaque id of the user; without it every launch is anonymous to the tool.", &[]),
    r("lti11.roles", Warning, "Roles are in the LIS vocabulary", "LTI 1.1 Implementation Guide §3", LTI11,
      "A comma-separated list of LIS URNs (urn:lti:role:ims/lis/Instructor, urn:lti:instrole:ims/lis/Faculty, urn:lti:sysrole:ims/lis/Administrator) or simple context role names (Learner, Instructor, ContentDeveloper, Member, Manager, Mentor, Administrator, TeachingAssistant).", &[]),
    r("lti11.outcomes", Warning, "Outcome service parameters come together", "LTI 1.1 Implementation Guide §6", LTI11,
      "Basic Outcomes needs lis_outcome_service_url (where to send the grade) and lis_result_sourcedid (whose grade); one without the other cannot work.", &[44]),
    r("lti11.return_url", Warning, "launch_presentation_return_url is usable", "LTI 1.1 Implementation Guide §3", LTI11,
      "Where the tool sends the user back, with lti_msg / lti_log or lti_errormsg / lti_errorlog in the query to explain a refusal.", &[]),
    // ── LMS hints ──────────────────────────────────────────────────────────────────────────
    r("hint.lms_detected", Info, "Platform recognised", "LTI Implementation Guide", IMPL,
      "The issuer or tool_platform claim matches a known LMS profile; its quirks are attached to findings as hints.", &[]),
    r("hint.canvas_issuer", Info, "Canvas issuer is not the hosted one", "Security Framework §5.1.3", VALIDATION,
      "Instructure-hosted Canvas signs every school's launches as https://canvas.instructure.com (beta/test differ). Another issuer means a self-hosted Canvas.", &[1, 20]),
    r("hint.token_lifetime", Info, "Token lifetime (exp − iat)", "Security Framework §5.1.3", VALIDATION,
      "Shows how long the platform lets the id_token live: Moodle 60 s, the 1EdTech RI 300 s, Canvas and Blackboard 3600 s.", &[25]),
    r("hint.jwks_key_alg", Info, "Platform key has no alg", "RFC 7517 §4.4", "https://www.rfc-editor.org/rfc/rfc7517#section-4.4",
      "alg is optional in a JWK. D2L Brightspace omits it; libraries that require it fail to select the key.", &[19]),
];
