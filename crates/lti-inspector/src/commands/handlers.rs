//! One function per command. Thin: unpack, call the engine, return its typed result.

use super::types::*;
use crate::engine::{Engine, EngineStatus};
#[allow(unused_imports)]
use lti_core::error::{ApiError, Result};
use lti_core::signing_keys::{KeyInfo, KeyRole};
use lti_core::store::{self, Exchange, ExchangeSummary, FlowSummary, Platform};
#[allow(unused_imports)]
use lti_platform_side::emulator::commands as emulator;
use lti_platform_side::emulator::commands::*;
use lti_platform_side::emulator::launch::{LaunchArgs, LaunchUrl, NegativeTestInfo};
use lti_platform_side::emulator::model::*;
use lti_tool_side::capture::paths;
use lti_tool_side::registrations::{self, PlatformInput};

pub async fn get_status(engine: &Engine, _: NoArgs) -> Result<EngineStatus> {
    Ok(engine.status())
}

pub async fn get_tool_setup(engine: &Engine, _: NoArgs) -> Result<ToolSetup> {
    let tool = engine.tool_status();
    let mut problems = Vec::new();
    if let Some(e) = tool.error.clone() {
        problems.push(e);
    }
    let url = |p: &str| tool.base_url.as_ref().map(|b| format!("{b}{p}"));
    let key = match engine.keystore_status().error.clone() {
        Some(e) => {
            problems.push(e);
            None
        }
        None => match engine.keys().signing_key(KeyRole::Tool).await {
            Ok(k) => Some(k),
            Err(e) => {
                problems.push(ApiError::from(&e));
                None
            }
        },
    };
    Ok(ToolSetup {
        login_url: url(paths::LOGIN),
        launch_url: url(paths::LAUNCH),
        deep_link_url: url(paths::DEEP_LINK),
        jwks_url: url(paths::JWKS),
        registration_url: url(lti_tool_side::dynreg::PATH),
        lti11_launch_url: url(lti_tool_side::lti11::launch::PATH),
        base_url: tool.base_url.clone(),
        kid: key.as_ref().map(|k| k.kid().to_string()),
        public_jwk_json: key
            .as_ref()
            .and_then(|k| serde_json::to_string_pretty(&k.public_jwk()).ok()),
        public_pem: key.as_ref().and_then(|k| k.public_pem().ok()),
        problems,
    })
}

pub async fn list_keys(engine: &Engine, _: NoArgs) -> Result<Vec<KeyInfo>> {
    engine.keys().list().await
}

pub async fn list_exchanges(
    engine: &Engine,
    args: ListExchangesArgs,
) -> Result<Vec<ExchangeSummary>> {
    let limit = args.limit.unwrap_or(500).min(5000);
    engine
        .store()
        .read(move |c| store::exchanges::list(c, limit, args.before_id, args.flow_id.as_deref()))
        .await
}

pub async fn get_exchange(engine: &Engine, args: GetExchangeArgs) -> Result<Exchange> {
    let mut ex = engine
        .store()
        .read(move |c| store::exchanges::get(c, args.id))
        .await?;
    if args.reveal != Some(true) {
        lti_core::secrets::mask_exchange(&mut ex);
    }
    Ok(ex)
}

pub async fn list_flows(engine: &Engine, args: ListFlowsArgs) -> Result<Vec<FlowSummary>> {
    let limit = args.limit.unwrap_or(500).min(5000);
    let query = lti_core::search::parse(args.query.as_deref().unwrap_or(""));
    if query.fts.is_some() {
        // The newest launches may still wait for the background indexer: index them first.
        lti_core::search::index_all_pending(engine.store()).await?;
    }
    engine
        .store()
        .read(move |c| {
            if query.is_empty() {
                store::flows::list(c, limit, args.before)
            } else {
                lti_core::search::search(c, &query, limit, args.before)
            }
        })
        .await
}

pub async fn delete_flows(
    engine: &Engine,
    args: lti_core::tidy::DeleteFlowsArgs,
) -> Result<lti_core::tidy::DeletedFlows> {
    let ids = args
        .ids
        .clone()
        .filter(|v| v.len() <= 1000)
        .unwrap_or_default();
    let r = lti_core::tidy::delete(engine.store(), args).await?;
    if r.deleted > 0 {
        // Deleted flows leave every open list (an empty list: re-read).
        engine
            .events()
            .emit(lti_core::events::EngineEvent::FlowsDeleted { ids });
    }
    Ok(r)
}

async fn flow_changed(engine: &Engine, id: String) -> Result<FlowSummary> {
    lti_core::messages::announce(engine.core(), &id).await;
    engine
        .store()
        .read(move |c| lti_core::messages::flow_summary(c, &id))
        .await
}

pub async fn set_flow_pinned(engine: &Engine, args: FlowPinArgs) -> Result<FlowSummary> {
    let id = args.id.clone();
    engine
        .store()
        .write(move |tx| lti_core::tidy::set_pinned(tx, &id, args.pinned))
        .await?;
    flow_changed(engine, args.id).await
}

pub async fn set_flow_note(engine: &Engine, args: FlowNoteArgs) -> Result<FlowSummary> {
    let (id, note) = (args.id.clone(), args.note);
    if note.len() > 100_000 {
        return Err(lti_core::error::Error::BadRequest(
            "a note is at most 100,000 characters".into(),
        ));
    }
    engine
        .store()
        .write(move |tx| lti_core::tidy::set_note(tx, &id, &note))
        .await?;
    flow_changed(engine, args.id).await
}

pub async fn get_store_info(engine: &Engine, _: NoArgs) -> Result<lti_core::tidy::StoreInfo> {
    let path = engine.store().path().to_path_buf();
    engine
        .store()
        .read(move |c| lti_core::tidy::info(c, &path))
        .await
}

pub async fn set_retention(
    engine: &Engine,
    args: RetentionArgs,
) -> Result<lti_core::tidy::StoreInfo> {
    engine
        .store()
        .write(move |tx| lti_core::tidy::set_retention_days(tx, args.days))
        .await?;
    if args.days.is_some() {
        // Applied now, not only at the next hourly pass.
        lti_core::tidy::delete(
            engine.store(),
            lti_core::tidy::DeleteFlowsArgs {
                ids: None,
                query: None,
                older_than_days: args.days,
            },
        )
        .await?;
    }
    get_store_info(engine, NoArgs {}).await
}

pub async fn remint(
    engine: &Engine,
    args: crate::replay::RemintArgs,
) -> Result<crate::replay::Remint> {
    crate::replay::remint(engine, args).await
}

pub async fn compare_flows(
    engine: &Engine,
    args: lti_core::compare::CompareArgs,
) -> Result<lti_core::compare::FlowComparison> {
    engine
        .store()
        .read(move |c| lti_core::compare::run(c, &args))
        .await
}

pub async fn export_flows(
    engine: &Engine,
    args: lti_core::export::ExportArgs,
) -> Result<lti_core::export::ExportResult> {
    lti_core::export::run(engine.store(), args).await
}

pub async fn recheck(
    engine: &Engine,
    args: lti_tool_side::recheck::RecheckArgs,
) -> Result<lti_tool_side::recheck::Recheck> {
    lti_tool_side::recheck::recheck(engine.tool(), args).await
}

pub async fn import(
    engine: &Engine,
    args: lti_tool_side::import::ImportArgs,
) -> Result<lti_tool_side::import::ImportSummary> {
    lti_tool_side::import::import(engine.tool(), args).await
}

pub async fn resend_exchange(
    engine: &Engine,
    args: crate::resend::ResendArgs,
) -> Result<crate::resend::Resend> {
    crate::resend::resend(engine, args).await
}

pub async fn import_upload(
    engine: &Engine,
    args: lti_core::uploads::UploadChunkArgs,
) -> Result<lti_core::uploads::UploadProgress> {
    engine.tool().core().uploads().append(args).await
}

pub async fn list_platforms(engine: &Engine, _: NoArgs) -> Result<Vec<Platform>> {
    engine.store().read(store::platforms::list).await
}

pub async fn save_platform(engine: &Engine, input: PlatformInput) -> Result<Platform> {
    registrations::save(engine.tool(), input).await
}

pub async fn delete_platform(engine: &Engine, args: IdArgs) -> Result<Deleted> {
    registrations::delete(engine.tool(), args.id).await?;
    Ok(Deleted { deleted: true })
}

pub async fn list_lti11_consumers(
    engine: &Engine,
    _: NoArgs,
) -> Result<Vec<lti_tool_side::lti11::consumers::Lti11Consumer>> {
    engine
        .store()
        .read(lti_tool_side::lti11::consumers::list)
        .await
}

pub async fn save_lti11_consumer(
    engine: &Engine,
    input: lti_tool_side::lti11::consumers::Lti11ConsumerInput,
) -> Result<lti_tool_side::lti11::consumers::Lti11Consumer> {
    lti_tool_side::lti11::consumers::save(engine.tool(), input).await
}

pub async fn lti11_outcome(
    engine: &Engine,
    args: lti_tool_side::lti11::outcomes_client::OutcomeArgs,
) -> Result<lti_tool_side::lti11::outcomes_client::OutcomeResult> {
    lti_tool_side::lti11::outcomes_client::send(engine.tool(), args).await
}

pub async fn delete_lti11_consumer(
    engine: &Engine,
    args: lti_tool_side::lti11::consumers::ConsumerKeyArgs,
) -> Result<Deleted> {
    lti_tool_side::lti11::consumers::delete(engine.tool(), args.consumer_key).await?;
    Ok(Deleted { deleted: true })
}

pub async fn list_platform_presets(
    _: &Engine,
    _: NoArgs,
) -> Result<Vec<lti_protocol::lms::LmsProfile>> {
    Ok(lti_protocol::lms::profiles())
}

pub async fn get_flow(engine: &Engine, args: IdArgs) -> Result<lti_core::messages::FlowDetail> {
    engine
        .store()
        .read(move |c| lti_core::messages::detail(c, &args.id))
        .await
}

pub async fn list_rules(_: &Engine, _: NoArgs) -> Result<Vec<lti_protocol::rules::RuleInfo>> {
    Ok(lti_protocol::rules::catalog())
}

pub async fn compat_evidence(
    _: &Engine,
    _: NoArgs,
) -> Result<lti_protocol::compat::CompatEvidence> {
    Ok(lti_protocol::compat::view())
}

pub async fn get_verdict_policy(
    engine: &Engine,
    _: NoArgs,
) -> Result<lti_tool_side::verdict_policy::VerdictPolicy> {
    lti_tool_side::verdict_policy::get(engine.tool()).await
}

pub async fn set_verdict_policy(
    engine: &Engine,
    args: lti_tool_side::verdict_policy::VerdictPolicy,
) -> Result<lti_tool_side::verdict_policy::VerdictPolicy> {
    lti_tool_side::verdict_policy::set(engine.tool(), args).await
}

pub async fn list_claims(_: &Engine, _: NoArgs) -> Result<Vec<lti_protocol::claims::ClaimInfo>> {
    Ok(lti_protocol::claims::all().to_vec())
}

// ── the tool side's service client ──────────────────────────────────────────────────────────

use lti_tool_side::service_client::ags::{self, *};
use lti_tool_side::service_client::nrps::{self, Roster, RosterArgs};

pub async fn get_roster(engine: &Engine, args: RosterArgs) -> Result<Roster> {
    nrps::roster(engine.tool(), args).await
}

pub async fn list_line_items(engine: &Engine, args: ListLineItemsArgs) -> Result<LineItems> {
    ags::list_line_items(engine.tool(), args).await
}

pub async fn save_line_item(engine: &Engine, args: SaveLineItemArgs) -> Result<SavedLineItem> {
    ags::save_line_item(engine.tool(), args).await
}

pub async fn delete_line_item(engine: &Engine, args: LineItemArgs) -> Result<DeletedLineItem> {
    ags::delete_line_item(engine.tool(), args).await
}

pub async fn post_score(engine: &Engine, args: PostScoreArgs) -> Result<PostedScore> {
    ags::post_score(engine.tool(), args).await
}

pub async fn get_results(engine: &Engine, args: ResultsArgs) -> Result<Results> {
    ags::get_results(engine.tool(), args).await
}

// ── the platform side (emulator) ─────────────────────────────────────────────────────────────
// Commands that show or change the emulator's model seed the demo first: seeding registers the
// tool side too, which only this composition knows about.

/// Launch demo: the demo tool (restored if it was removed) as the demo instructor.
pub async fn launch_demo(engine: &Engine, _: NoArgs) -> Result<LaunchUrl> {
    crate::demo::launch(engine).await
}

pub async fn launch_url(engine: &Engine, args: LaunchArgs) -> Result<LaunchUrl> {
    crate::demo::ensure(engine).await?;
    emulator::launch_url(engine.platform(), args).await
}

pub async fn list_emulator_courses(engine: &Engine, args: NoArgs) -> Result<Vec<CourseView>> {
    crate::demo::ensure(engine).await?;
    emulator::list_emulator_courses(engine.platform(), args).await
}

pub async fn list_emulator_users(engine: &Engine, args: NoArgs) -> Result<Vec<EmulatorUser>> {
    crate::demo::ensure(engine).await?;
    emulator::list_emulator_users(engine.platform(), args).await
}

pub async fn list_emulator_tools(engine: &Engine, args: NoArgs) -> Result<Vec<EmulatorTool>> {
    crate::demo::ensure(engine).await?;
    emulator::list_emulator_tools(engine.platform(), args).await
}

pub async fn save_emulator_tool(engine: &Engine, args: ToolInput) -> Result<EmulatorTool> {
    crate::demo::ensure(engine).await?;
    emulator::save_emulator_tool(engine.platform(), args).await
}

pub async fn save_resource_link(engine: &Engine, args: ResourceLinkInput) -> Result<ResourceLink> {
    crate::demo::ensure(engine).await?;
    emulator::save_resource_link(engine.platform(), args).await
}

pub async fn save_emulator_user(engine: &Engine, args: UserInput) -> Result<EmulatorUser> {
    crate::demo::ensure(engine).await?;
    emulator::save_emulator_user(engine.platform(), args).await
}

pub async fn save_emulator_course(engine: &Engine, args: CourseInput) -> Result<EmulatorCourse> {
    crate::demo::ensure(engine).await?;
    emulator::save_emulator_course(engine.platform(), args).await
}

pub async fn get_gradebook(engine: &Engine, args: GradebookArgs) -> Result<Gradebook> {
    crate::demo::ensure(engine).await?;
    emulator::get_gradebook(engine.platform(), args).await
}

pub async fn list_negative_tests(engine: &Engine, args: NoArgs) -> Result<Vec<NegativeTestInfo>> {
    emulator::list_negative_tests(engine.platform(), args).await
}

pub async fn list_emulator_lti11_tools(
    engine: &Engine,
    _: NoArgs,
) -> Result<Vec<lti_platform_side::emulator::lti11::tools::Lti11Tool>> {
    engine
        .store()
        .read(lti_platform_side::emulator::lti11::tools::list)
        .await
}

pub async fn save_emulator_lti11_tool(
    engine: &Engine,
    input: lti_platform_side::emulator::lti11::tools::Lti11ToolInput,
) -> Result<lti_platform_side::emulator::lti11::tools::Lti11Tool> {
    lti_platform_side::emulator::lti11::tools::save(engine.platform(), input).await
}

pub async fn delete_emulator_lti11_tool(engine: &Engine, args: IdArgs) -> Result<Deleted> {
    lti_platform_side::emulator::lti11::tools::delete(engine.platform(), args).await
}

pub async fn lti11_launch_url(
    engine: &Engine,
    args: lti_platform_side::emulator::lti11::launch::Lti11LaunchArgs,
) -> Result<LaunchUrl> {
    crate::demo::ensure(engine).await?;
    lti_platform_side::emulator::lti11::launch::create(engine.platform(), args).await
}

pub async fn dr_start(
    engine: &Engine,
    args: lti_platform_side::emulator::dynreg::DrStartArgs,
) -> Result<lti_platform_side::emulator::dynreg::DrStart> {
    lti_platform_side::emulator::dynreg::start(engine.platform(), args).await
}

pub async fn list_dr_negative_tests(
    _: &Engine,
    _: NoArgs,
) -> Result<Vec<lti_platform_side::emulator::dynreg::DrNegativeInfo>> {
    Ok(lti_platform_side::emulator::dynreg::negatives())
}

pub async fn list_lti11_negative_tests(
    _: &Engine,
    _: NoArgs,
) -> Result<Vec<lti_platform_side::emulator::lti11::launch::Lti11NegativeInfo>> {
    Ok(lti_platform_side::emulator::lti11::launch::negatives())
}

pub async fn get_emulator_setup(engine: &Engine, args: NoArgs) -> Result<EmulatorSetup> {
    emulator::get_emulator_setup(engine.platform(), args).await
}

pub async fn delete_emulator_tool(engine: &Engine, args: IdArgs) -> Result<Deleted> {
    emulator::delete_emulator_tool(engine.platform(), args).await
}

pub async fn save_enrollment(engine: &Engine, args: EnrollmentInput) -> Result<Enrollment> {
    emulator::save_enrollment(engine.platform(), args).await
}

pub async fn get_dl_composer(
    engine: &Engine,
    args: lti_tool_side::composer::app::ComposerArgs,
) -> Result<lti_tool_side::composer::app::ComposerState> {
    Ok(lti_tool_side::composer::app::composer_state(engine.tool(), &args.flow_id).await?)
}

pub async fn compose_dl_response(
    engine: &Engine,
    args: lti_tool_side::composer::app::ComposeArgs,
) -> Result<lti_tool_side::composer::app::ComposeOutcome> {
    tracing::Span::current().record("flow", args.flow_id.as_str());
    Ok(lti_tool_side::composer::app::run(engine.tool(), args).await?)
}

pub async fn save_dl_template(
    engine: &Engine,
    args: lti_tool_side::composer::app::SaveTemplateArgs,
) -> Result<Vec<lti_tool_side::composer::app::DlTemplate>> {
    Ok(lti_tool_side::composer::app::save_template(engine.tool(), args).await?)
}

pub async fn list_related_flows(
    engine: &Engine,
    args: IdsArgs,
) -> Result<Vec<store::flows::RelatedFlows>> {
    engine
        .store()
        .read(move |c| store::flows::related_of_many(c, &args.ids))
        .await
}
