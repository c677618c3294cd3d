//! The command table: every operation the UI can ask of the engine, declared once with its
//! request and response types. Both front doors (Tauri IPC, HTTP `/api/rpc/NAME`) call
//! [`dispatch`]; the TypeScript bindings (`ui/src/bindings/index.ts`) are generated from the same
//! declaration, and a test fails when the committed file drifts.

mod bindings;
pub mod desktop;
mod handlers;
pub mod types;

pub use bindings::typescript_bindings;
pub use types::*;

use crate::engine::Engine;
use lti_core::error::{ApiError, ErrorCode};

macro_rules! command_table {
    ($( $(#[doc = $doc:literal])* $name:ident ( $args:ty ) -> $res:ty ; )*) => {
        /// Runs the command `name` with JSON `args`; the result is JSON.
        pub async fn dispatch(engine: &Engine, name: &str, args: serde_json::Value) -> Result<serde_json::Value, ApiError> {
            // Absent args are an empty object, so argument-less commands take `{}` or nothing.
            let args = if args.is_null() { serde_json::Value::Object(Default::default()) } else { args };
            match name {
                $( stringify!($name) => {
                    let args: $args = serde_json::from_value(args).map_err(|e| {
                        ApiError::new(ErrorCode::BadRequest, format!("{}: invalid arguments: {e}", stringify!($name)))
                    })?;
                    // The span covers the whole command, awaits included (service calls, the
                    // store): every event it causes carries the command's name.
                    let span = tracing::info_span!("command", name = stringify!($name), flow = tracing::field::Empty);
                    let res: $res = tracing::Instrument::instrument(handlers::$name(engine, args), span)
                        .await
                        .map_err(ApiError::from)?;
                    serde_json::to_value(res).map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))
                } )*
                other => Err(ApiError::new(ErrorCode::UnknownCommand, format!("unknown command {other:?}"))),
            }
        }

        pub const COMMAND_NAMES: &[&str] = &[$(stringify!($name)),*];

        /// (name, doc, args TS type, result TS type) for the generated `Commands` map.
        pub(crate) fn command_signatures(cfg: &ts_rs::Config) -> Vec<(&'static str, String, String, String)> {
            use ts_rs::TS;
            vec![$( (stringify!($name), [$($doc),*].join("\n"), <$args as TS>::name(cfg), <$res as TS>::name(cfg)) ),*]
        }

        pub(crate) fn visit_command_types(v: &mut impl ts_rs::TypeVisitor) {
            $( v.visit::<$args>(); v.visit::<$res>(); )*
        }
    };
}

command_table! {
    /// Versions, folders, servers and key store health.
    get_status(NoArgs) -> crate::engine::EngineStatus;
    /// The tool's URLs and public key, for pasting into an LMS registration.
    get_tool_setup(NoArgs) -> ToolSetup;
    /// Every signing key (public halves only).
    list_keys(NoArgs) -> Vec<lti_core::signing_keys::KeyInfo>;
    /// Recorded exchanges, newest first.
    list_exchanges(ListExchangesArgs) -> Vec<lti_core::store::ExchangeSummary>;
    /// One exchange, whole.
    get_exchange(GetExchangeArgs) -> lti_core::store::Exchange;
    /// Flows, newest first.
    list_flows(ListFlowsArgs) -> Vec<lti_core::store::FlowSummary>;
    /// One flow whole: its exchanges in order and its decoded, validated messages.
    get_flow(IdArgs) -> lti_core::messages::FlowDetail;
    /// The other side(s) of each flow's launch (the emulator's flow for a tool-side one, and back); at most 100 ids.
    list_related_flows(IdsArgs) -> Vec<lti_core::store::flows::RelatedFlows>;
    /// Validate a stored launch again (as captured, now or at a time) against today's registration and keys.
    recheck(lti_tool_side::recheck::RecheckArgs) -> lti_tool_side::recheck::Recheck;
    /// Delete flows: chosen ids, a search result or those older than N days (pinned ones kept but for chosen ids).
    delete_flows(lti_core::tidy::DeleteFlowsArgs) -> lti_core::tidy::DeletedFlows;
    /// Pin (retention keeps it) or unpin a flow.
    set_flow_pinned(FlowPinArgs) -> lti_core::store::FlowSummary;
    /// Set or clear a flow's note (searchable, exported).
    set_flow_note(FlowNoteArgs) -> lti_core::store::FlowSummary;
    /// The store's size, flow count and retention setting.
    get_store_info(NoArgs) -> lti_core::tidy::StoreInfo;
    /// Delete flows older than this many days in the background (null: keep everything).
    set_retention(RetentionArgs) -> lti_core::tidy::StoreInfo;
    /// Replay a stored launch's claims (as captured or edited) through the emulator into one of its tools.
    remint(crate::replay::RemintArgs) -> crate::replay::Remint;
    /// Send a recorded exchange again, as recorded or edited, to its URL or another; the answer is recorded as a new flow, with what to expect and why it was answered so.
    resend_exchange(crate::resend::ResendArgs) -> crate::resend::Resend;
    /// Two launches side by side: claims, findings and HTTP steps that differ.
    compare_flows(lti_core::compare::CompareArgs) -> lti_core::compare::FlowComparison;
    /// Export flows as HAR 1.2 or a re-importable bundle; redaction (pseudonyms, secrets removed) on by default.
    export_flows(lti_core::export::ExportArgs) -> lti_core::export::ExportResult;
    /// Import a HAR file, id_token, form body or claims object into the Timeline as flows.
    import(lti_tool_side::import::ImportArgs) -> lti_tool_side::import::ImportSummary;
    /// Send a large file for import in pieces (base64, in order); then `import` with its upload_id.
    import_upload(lti_core::uploads::UploadChunkArgs) -> lti_core::uploads::UploadProgress;
    /// Deep linking composer: a captured request's settings, a first draft, presets, templates and negative switches.
    get_dl_composer(lti_tool_side::composer::app::ComposerArgs) -> lti_tool_side::composer::app::ComposerState;
    /// Deep linking composer: check, sign (then send from the browser) or sign and post a response to the request's platform.
    compose_dl_response(lti_tool_side::composer::app::ComposeArgs) -> lti_tool_side::composer::app::ComposeOutcome;
    /// Deep linking composer: save a named item set; returns every template.
    save_dl_template(lti_tool_side::composer::app::SaveTemplateArgs) -> Vec<lti_tool_side::composer::app::DlTemplate>;
    /// The validation rule catalog (id, severity, spec section and link, explanation).
    list_rules(NoArgs) -> Vec<lti_protocol::rules::RuleInfo>;
    /// What real tool libraries (PyLTI1p3, ltijs, atomic-lti) do when each rule is broken, as measured by `make compat`.
    compat_evidence(NoArgs) -> lti_protocol::compat::CompatEvidence;
    /// The verdict policy launches and re-checks use (strict: every MUST is an error).
    get_verdict_policy(NoArgs) -> lti_tool_side::verdict_policy::VerdictPolicy;
    /// Choose strict verdicts (every MUST an error) or evidence-based ones (the default).
    set_verdict_policy(lti_tool_side::verdict_policy::VerdictPolicy) -> lti_tool_side::verdict_policy::VerdictPolicy;
    /// The claims dictionary (every known claim with its meaning and spec link).
    list_claims(NoArgs) -> Vec<lti_protocol::claims::ClaimInfo>;
    /// Registered platforms (the LMSs the tool side trusts).
    list_platforms(NoArgs) -> Vec<lti_core::store::Platform>;
    /// Create (no id) or update (with id) a platform registration.
    save_platform(lti_tool_side::registrations::PlatformInput) -> lti_core::store::Platform;
    /// Remove a platform registration.
    delete_platform(IdArgs) -> Deleted;
    /// LTI 1.1 consumers the tool side trusts (key and name; whether a secret is in the keychain).
    list_lti11_consumers(NoArgs) -> Vec<lti_tool_side::lti11::consumers::Lti11Consumer>;
    /// Create or update an LTI 1.1 consumer; the secret goes to the keychain (empty keeps the stored one).
    save_lti11_consumer(lti_tool_side::lti11::consumers::Lti11ConsumerInput) -> lti_tool_side::lti11::consumers::Lti11Consumer;
    /// LTI 1.1 Basic Outcomes from a verified 1.1 launch: replaceResult, readResult or deleteResult, signed with the consumer's secret.
    lti11_outcome(lti_tool_side::lti11::outcomes_client::OutcomeArgs) -> lti_tool_side::lti11::outcomes_client::OutcomeResult;
    /// Remove an LTI 1.1 consumer and its secret.
    delete_lti11_consumer(lti_tool_side::lti11::consumers::ConsumerKeyArgs) -> Deleted;
    /// LMS presets: fixed endpoints of Canvas, Moodle, Blackboard, Brightspace, Schoology, Sakai…
    list_platform_presets(NoArgs) -> Vec<lti_protocol::lms::LmsProfile>;
    /// Emulator: the URL that launches the demo tool as the demo instructor (open it in a new window).
    launch_demo(NoArgs) -> lti_platform_side::emulator::launch::LaunchUrl;
    /// Emulator: courses with their roster, resource links, line items and deep-linked items.
    list_emulator_courses(NoArgs) -> Vec<lti_platform_side::emulator::commands::CourseView>;
    /// Emulator: every user (sub, names, system and institution roles).
    list_emulator_users(NoArgs) -> Vec<lti_platform_side::emulator::model::EmulatorUser>;
    /// Emulator: registered tools with their deployments and granted scopes.
    list_emulator_tools(NoArgs) -> Vec<lti_platform_side::emulator::model::EmulatorTool>;
    /// Emulator: register (no id) or update (with id) a tool.
    save_emulator_tool(lti_platform_side::emulator::commands::ToolInput) -> lti_platform_side::emulator::model::EmulatorTool;
    /// Emulator: remove a tool with its deployments, links and line items.
    delete_emulator_tool(IdArgs) -> Deleted;
    /// Emulator: a URL that launches a tool as a user (message type, link, negative test).
    launch_url(lti_platform_side::emulator::launch::LaunchArgs) -> lti_platform_side::emulator::launch::LaunchUrl;
    /// Emulator: the negative tests a launch can apply, each named by the rule it breaks.
    list_negative_tests(NoArgs) -> Vec<lti_platform_side::emulator::launch::NegativeTestInfo>;
    /// Emulator: LTI 1.1 tools (launch URL, consumer key, imitated LMS; whether a secret is in the keychain).
    list_emulator_lti11_tools(NoArgs) -> Vec<lti_platform_side::emulator::lti11::tools::Lti11Tool>;
    /// Emulator: create or update an LTI 1.1 tool; the secret goes to the keychain (empty keeps it).
    save_emulator_lti11_tool(lti_platform_side::emulator::lti11::tools::Lti11ToolInput) -> lti_platform_side::emulator::lti11::tools::Lti11Tool;
    /// Emulator: remove an LTI 1.1 tool and its secret.
    delete_emulator_lti11_tool(IdArgs) -> Deleted;
    /// Emulator: a signed LTI 1.1 launch of a user in a course (optionally broken on purpose): the URL that posts it.
    lti11_launch_url(lti_platform_side::emulator::lti11::launch::Lti11LaunchArgs) -> lti_platform_side::emulator::launch::LaunchUrl;
    /// Emulator: register a tool by LTI Dynamic Registration: the URL that opens the tool's registration page with the emulator's configuration and a single-use token.
    dr_start(lti_platform_side::emulator::dynreg::DrStartArgs) -> lti_platform_side::emulator::dynreg::DrStart;
    /// Emulator: the Dynamic Registration negative tests, each with the rule it breaks.
    list_dr_negative_tests(NoArgs) -> Vec<lti_platform_side::emulator::dynreg::DrNegativeInfo>;
    /// Emulator: the LTI 1.1 negative tests, each with the rule it breaks.
    list_lti11_negative_tests(NoArgs) -> Vec<lti_platform_side::emulator::lti11::launch::Lti11NegativeInfo>;
    /// Emulator: line items × members of a course, as tools posted them.
    get_gradebook(lti_platform_side::emulator::commands::GradebookArgs) -> lti_platform_side::emulator::commands::Gradebook;
    /// Emulator: the issuer and endpoints a tool registers the emulator with.
    get_emulator_setup(NoArgs) -> lti_platform_side::emulator::commands::EmulatorSetup;
    /// Emulator: place a resource link of a tool in a course (optionally with a line item).
    save_resource_link(lti_platform_side::emulator::commands::ResourceLinkInput) -> lti_platform_side::emulator::model::ResourceLink;
    /// Emulator: create or update a user.
    save_emulator_user(lti_platform_side::emulator::commands::UserInput) -> lti_platform_side::emulator::model::EmulatorUser;
    /// Emulator: create or update a course.
    save_emulator_course(lti_platform_side::emulator::commands::CourseInput) -> lti_platform_side::emulator::model::EmulatorCourse;
    /// Emulator: set a user's context roles and status in a course.
    save_enrollment(lti_platform_side::emulator::commands::EnrollmentInput) -> lti_platform_side::emulator::model::Enrollment;
    /// Services: the roster (NRPS) of a captured launch's context, every page followed.
    get_roster(lti_tool_side::service_client::nrps::RosterArgs) -> lti_tool_side::service_client::nrps::Roster;
    /// Services: the line items (AGS) of a captured launch's context, with filters.
    list_line_items(lti_tool_side::service_client::ags::ListLineItemsArgs) -> lti_tool_side::service_client::ags::LineItems;
    /// Services: create (no id) or update (id = its URL) a line item.
    save_line_item(lti_tool_side::service_client::ags::SaveLineItemArgs) -> lti_tool_side::service_client::ags::SavedLineItem;
    /// Services: delete a line item.
    delete_line_item(lti_tool_side::service_client::ags::LineItemArgs) -> lti_tool_side::service_client::ags::DeletedLineItem;
    /// Services: post a score to a line item (timestamp defaults to now, sub-second).
    post_score(lti_tool_side::service_client::ags::PostScoreArgs) -> lti_tool_side::service_client::ags::PostedScore;
    /// Services: the results of a line item.
    get_results(lti_tool_side::service_client::ags::ResultsArgs) -> lti_tool_side::service_client::ags::Results;
}
