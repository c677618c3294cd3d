//! Assignment and Grade Services 2.0: line items (list with filters and paging, create, update,
//! delete), scores (every field; the timestamp defaults to now with sub-second precision) and
//! results.

use lti_protocol::finding::{Finding, Report};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use ts_rs::TS;

use super::{media, scope, validate, Call, CallLog, LaunchContext, Reply};
use crate::ToolSide;
use lti_core::error::{Error, Result};

/// A line item as AGS sends it (field names as on the wire).
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AgsLineItem {
    /// The line item's URL; absent when creating.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional = nullable)]
    pub id: Option<String>,
    #[serde(default)]
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional = nullable)]
    pub score_maximum: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional = nullable)]
    pub resource_link_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional = nullable)]
    pub resource_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional = nullable)]
    pub tag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional = nullable)]
    pub start_date_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional = nullable)]
    pub end_date_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional = nullable)]
    pub grades_released: Option<bool>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct ListLineItemsArgs {
    pub flow_id: String,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub resource_link_id: Option<String>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub resource_id: Option<String>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub tag: Option<String>,
    /// Page size hint; every page is followed.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct LineItems {
    pub items: Vec<AgsLineItem>,
    /// The items as the platform sent them.
    pub raw: Vec<Value>,
    pub log: CallLog,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SaveLineItemArgs {
    pub flow_id: String,
    /// With `id`: PUT to that URL (update); without: POST to the launch's lineitems URL.
    pub line_item: AgsLineItem,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SavedLineItem {
    pub item: AgsLineItem,
    pub raw: Value,
    pub log: CallLog,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct LineItemArgs {
    pub flow_id: String,
    /// Defaults to the launch's `lineitem` claim.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub line_item_url: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct DeletedLineItem {
    pub deleted: bool,
    pub log: CallLog,
}

/// A score (AGS §3.4) with every field.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct PostScoreArgs {
    pub flow_id: String,
    /// Defaults to the launch's `lineitem` claim.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub line_item_url: Option<String>,
    /// The member's LTI user id (sub); defaults to the launching user.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub user_id: Option<String>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub score_given: Option<f64>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub score_maximum: Option<f64>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub comment: Option<String>,
    /// Initialized, Started, InProgress, Submitted or Completed (default Completed).
    #[serde(default)]
    #[ts(optional = nullable)]
    pub activity_progress: Option<String>,
    /// FullyGraded, Pending, PendingManual, Failed or NotReady (default FullyGraded).
    #[serde(default)]
    #[ts(optional = nullable)]
    pub grading_progress: Option<String>,
    /// RFC 3339; defaults to now with microsecond precision.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub timestamp: Option<String>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub started_at: Option<String>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub submitted_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct PostedScore {
    /// The score body as sent.
    pub score: Value,
    pub status: u16,
    pub log: CallLog,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct ResultsArgs {
    pub flow_id: String,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub line_item_url: Option<String>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub user_id: Option<String>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ResultItem {
    #[serde(default)]
    #[ts(optional = nullable)]
    pub id: Option<String>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub score_of: Option<String>,
    #[serde(default)]
    pub user_id: String,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub result_score: Option<f64>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub result_maximum: Option<f64>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Results {
    pub results: Vec<ResultItem>,
    pub raw: Vec<Value>,
    pub log: CallLog,
}

/// Now as RFC 3339 UTC with microseconds (AGS recommends sub-second precision: platforms drop
/// scores not newer than the last one).
pub fn now_timestamp() -> String {
    let now = time::OffsetDateTime::now_utc();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        now.year(),
        now.month() as u8,
        now.day(),
        now.hour(),
        now.minute(),
        now.second(),
        now.microsecond()
    )
}

/// `<line item URL>/<suffix>`, keeping its query string.
pub fn sub_url(item: &str, suffix: &str) -> Result<String> {
    let mut u = url::Url::parse(item)
        .map_err(|e| Error::BadRequest(format!("not a line item URL: {item:?}: {e}")))?;
    let path = format!("{}/{suffix}", u.path().trim_end_matches('/'));
    u.set_path(&path);
    Ok(u.to_string())
}

fn line_item_url(ctx: &LaunchContext, given: Option<String>) -> Result<String> {
    given
        .filter(|u| !u.trim().is_empty())
        .or_else(|| ctx.lineitem.clone())
        .ok_or_else(|| {
            Error::BadRequest(
                "no line item URL given and the launch's AGS claim has no lineitem".into(),
            )
        })
}

fn lineitems_url(ctx: &LaunchContext) -> Result<String> {
    ctx.lineitems.clone().ok_or_else(|| {
        Error::BadRequest(
            "the launch's AGS claim has no lineitems URL: the platform did not grant line item management".into(),
        )
    })
}

/// The scope to read line items: `lineitem` implies read, so it is preferred when granted
/// (asking for `.readonly` when only `lineitem` was granted is a classic mistake).
fn read_scope(ctx: &LaunchContext) -> &'static str {
    if ctx.granted(scope::LINEITEM) || !ctx.granted(scope::LINEITEM_READONLY) {
        scope::LINEITEM
    } else {
        scope::LINEITEM_READONLY
    }
}

/// GETs `first` and every `rel="next"` page, returning the JSON arrays' items.
async fn get_pages(
    tool: &ToolSide,
    ctx: &LaunchContext,
    first: String,
    accept: &str,
    needs: &[&str],
    log: &mut CallLog,
    report: &mut Report,
) -> Result<Vec<Value>> {
    let mut out = Vec::new();
    let mut next = Some(first);
    let mut seen = std::collections::HashSet::new();
    while let Some(url) = next.take() {
        if !seen.insert(url.clone()) || seen.len() > super::nrps::MAX_PAGES {
            report.push(validate::warn(
                "service.link_header",
                "Paging stopped: a next link repeats a page or there are too many pages.",
            ));
            break;
        }
        let reply = super::call(
            tool,
            ctx,
            Call {
                step: "ags",
                method: reqwest::Method::GET,
                url,
                accept,
                content_type: None,
                body: vec![],
                needs,
            },
            log,
            report,
        )
        .await?;
        validate::media_type(&reply.answer(), accept, report);
        let links = validate::links(&reply.answer(), report);
        next = validate::rel(&links, "next").map(str::to_string);
        match validate::json(&reply.answer(), report) {
            Some(Value::Array(items)) => out.extend(items),
            Some(other) => {
                report.push(
                    Finding::fail(
                        "service.response_json",
                        "A container answer must be a JSON array.",
                    )
                    .actual(super::body_snippet(other.to_string().as_bytes())),
                );
                break;
            }
            None => break,
        }
    }
    Ok(out)
}

pub async fn list_line_items(tool: &ToolSide, args: ListLineItemsArgs) -> Result<LineItems> {
    let ctx = LaunchContext::of_flow(tool, &args.flow_id).await?;
    let (mut log, mut report) = (CallLog::default(), Report::new());
    let result = async {
        let url = super::with_query(
            &lineitems_url(&ctx)?,
            &[
                ("resource_link_id", args.resource_link_id.clone()),
                ("resource_id", args.resource_id.clone()),
                ("tag", args.tag.clone()),
                ("limit", args.limit.map(|l| l.to_string())),
            ],
        )?;
        let needs = [read_scope(&ctx)];
        let raw = get_pages(
            tool,
            &ctx,
            url,
            media::LINEITEM_CONTAINER,
            &needs,
            &mut log,
            &mut report,
        )
        .await?;
        for (i, item) in raw.iter().enumerate() {
            validate::line_item(item, &format!("[{i}]"), &mut report);
        }
        Ok(raw)
    }
    .await;
    let raw = super::recorded(
        tool,
        &ctx,
        ("ags_response", "AGS line items"),
        "ags",
        &mut log,
        &mut report,
        result,
    )
    .await?;
    Ok(LineItems {
        items: raw
            .iter()
            .map(|v| serde_json::from_value(v.clone()).unwrap_or_default())
            .collect(),
        raw,
        log,
    })
}

fn single(reply: &Reply, report: &mut Report) -> Result<Value> {
    validate::media_type(&reply.answer(), media::LINEITEM, report);
    let v = validate::json(&reply.answer(), report)
        .ok_or_else(|| Error::BadRequest("the line item answer is not JSON".into()))?;
    validate::line_item(&v, "", report);
    Ok(v)
}

pub async fn save_line_item(tool: &ToolSide, args: SaveLineItemArgs) -> Result<SavedLineItem> {
    let ctx = LaunchContext::of_flow(tool, &args.flow_id).await?;
    let (mut log, mut report) = (CallLog::default(), Report::new());
    let item = args.line_item;
    let result = async {
        if item.label.trim().is_empty() {
            return Err(Error::BadRequest("a line item needs a label".into()));
        }
        if !item.score_maximum.is_some_and(|m| m > 0.0) {
            return Err(Error::BadRequest(
                "a line item needs scoreMaximum > 0".into(),
            ));
        }
        let (method, url) = match item.id.clone().filter(|i| !i.is_empty()) {
            Some(id) => (reqwest::Method::PUT, id),
            None => (reqwest::Method::POST, lineitems_url(&ctx)?),
        };
        let body = serde_json::to_vec(&item).map_err(|e| Error::Internal(e.to_string()))?;
        let reply = super::call(
            tool,
            &ctx,
            Call {
                step: "ags",
                method,
                url,
                accept: media::LINEITEM,
                content_type: Some(media::LINEITEM),
                body,
                needs: &[scope::LINEITEM],
            },
            &mut log,
            &mut report,
        )
        .await?;
        single(&reply, &mut report)
    }
    .await;
    let raw = super::recorded(
        tool,
        &ctx,
        ("ags_response", "AGS line item saved"),
        "ags",
        &mut log,
        &mut report,
        result,
    )
    .await?;
    Ok(SavedLineItem {
        item: serde_json::from_value(raw.clone()).unwrap_or_default(),
        raw,
        log,
    })
}

pub async fn delete_line_item(tool: &ToolSide, args: LineItemArgs) -> Result<DeletedLineItem> {
    let ctx = LaunchContext::of_flow(tool, &args.flow_id).await?;
    let (mut log, mut report) = (CallLog::default(), Report::new());
    let result = async {
        let url = line_item_url(&ctx, args.line_item_url.clone())?;
        super::call(
            tool,
            &ctx,
            Call {
                step: "ags",
                method: reqwest::Method::DELETE,
                url,
                accept: media::LINEITEM,
                content_type: None,
                body: vec![],
                needs: &[scope::LINEITEM],
            },
            &mut log,
            &mut report,
        )
        .await
        .map(|_| ())
    }
    .await;
    super::recorded(
        tool,
        &ctx,
        ("ags_response", "AGS line item deleted"),
        "ags",
        &mut log,
        &mut report,
        result,
    )
    .await?;
    Ok(DeletedLineItem { deleted: true, log })
}

/// The score body for the arguments (defaults filled in).
pub fn score_body(ctx: Option<&str>, args: &PostScoreArgs) -> Result<Value> {
    let user = args
        .user_id
        .clone()
        .filter(|u| !u.is_empty())
        .or_else(|| ctx.map(str::to_string))
        .ok_or_else(|| Error::BadRequest("a score needs a userId".into()))?;
    let mut m = Map::new();
    m.insert("userId".into(), json!(user));
    if let Some(g) = args.score_given {
        m.insert("scoreGiven".into(), json!(g));
    }
    if let Some(x) = args.score_maximum {
        m.insert("scoreMaximum".into(), json!(x));
    }
    if let Some(c) = args.comment.as_ref().filter(|c| !c.is_empty()) {
        m.insert("comment".into(), json!(c));
    }
    m.insert(
        "timestamp".into(),
        json!(args
            .timestamp
            .clone()
            .filter(|t| !t.is_empty())
            .unwrap_or_else(now_timestamp)),
    );
    m.insert(
        "activityProgress".into(),
        json!(args
            .activity_progress
            .clone()
            .unwrap_or_else(|| "Completed".into())),
    );
    m.insert(
        "gradingProgress".into(),
        json!(args
            .grading_progress
            .clone()
            .unwrap_or_else(|| "FullyGraded".into())),
    );
    let mut submission = Map::new();
    if let Some(s) = args.started_at.as_ref().filter(|s| !s.is_empty()) {
        submission.insert("startedAt".into(), json!(s));
    }
    if let Some(s) = args.submitted_at.as_ref().filter(|s| !s.is_empty()) {
        submission.insert("submittedAt".into(), json!(s));
    }
    if !submission.is_empty() {
        m.insert("submission".into(), Value::Object(submission));
    }
    Ok(Value::Object(m))
}

pub async fn post_score(tool: &ToolSide, args: PostScoreArgs) -> Result<PostedScore> {
    let ctx = LaunchContext::of_flow(tool, &args.flow_id).await?;
    let launching_user = launching_user(tool, &args.flow_id).await;
    let (mut log, mut report) = (CallLog::default(), Report::new());
    let result = async {
        let score = score_body(launching_user.as_deref(), &args)?;
        if args.score_given.is_some() && args.score_maximum.is_none() {
            report.push(validate::warn(
                "ags.score.score_maximum",
                "scoreGiven without scoreMaximum: the platform will refuse the score.",
            ));
        }
        let url = sub_url(&line_item_url(&ctx, args.line_item_url.clone())?, "scores")?;
        let reply = super::call(
            tool,
            &ctx,
            Call {
                step: "ags",
                method: reqwest::Method::POST,
                url,
                accept: "application/json",
                content_type: Some(media::SCORE),
                body: serde_json::to_vec(&score).map_err(|e| Error::Internal(e.to_string()))?,
                needs: &[scope::SCORE],
            },
            &mut log,
            &mut report,
        )
        .await?;
        Ok((score, reply.status))
    }
    .await;
    let (score, status) = super::recorded(
        tool,
        &ctx,
        ("ags_response", "AGS score"),
        "ags",
        &mut log,
        &mut report,
        result,
    )
    .await?;
    Ok(PostedScore { score, status, log })
}

pub async fn get_results(tool: &ToolSide, args: ResultsArgs) -> Result<Results> {
    let ctx = LaunchContext::of_flow(tool, &args.flow_id).await?;
    let (mut log, mut report) = (CallLog::default(), Report::new());
    let result = async {
        let url = sub_url(&line_item_url(&ctx, args.line_item_url.clone())?, "results")?;
        let url = super::with_query(
            &url,
            &[
                ("user_id", args.user_id.clone()),
                ("limit", args.limit.map(|l| l.to_string())),
            ],
        )?;
        let raw = get_pages(
            tool,
            &ctx,
            url,
            media::RESULT_CONTAINER,
            &[scope::RESULT_READONLY],
            &mut log,
            &mut report,
        )
        .await?;
        for (i, r) in raw.iter().enumerate() {
            validate::result(r, &format!("[{i}]"), &mut report);
        }
        Ok(raw)
    }
    .await;
    let raw = super::recorded(
        tool,
        &ctx,
        ("ags_response", "AGS results"),
        "ags",
        &mut log,
        &mut report,
        result,
    )
    .await?;
    Ok(Results {
        results: raw
            .iter()
            .filter_map(|v| serde_json::from_value(v.clone()).ok())
            .collect(),
        raw,
        log,
    })
}

/// The `sub` of the launch's id_token.
async fn launching_user(tool: &ToolSide, flow_id: &str) -> Option<String> {
    let id = flow_id.to_string();
    let raw = tool
        .store()
        .read(move |c| lti_core::messages::id_token_of(c, &id))
        .await
        .ok()??;
    lti_protocol::jws::Jws::parse(&raw)
        .ok()?
        .payload
        .get("sub")
        .and_then(Value::as_str)
        .map(str::to_string)
}
