//! Names and Role Provisioning Services 2.0: the membership of the launch's context, with the
//! role and rlid filters, following `Link: rel="next"` and keeping the `rel="differences"` link.

use lti_protocol::finding::{Finding, Report};
use lti_protocol::roles::{self, RoleBadge};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use super::{media, scope, validate, Call, CallLog, LaunchContext};
use crate::ToolSide;
use lti_core::error::{Error, Result};

/// Pages followed at most (a platform looping its next link must not hang the client).
pub const MAX_PAGES: usize = 100;

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct RosterArgs {
    pub flow_id: String,
    /// A role URI (…/membership#Learner) or simple name.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub role: Option<String>,
    /// A resource link id: members who can access it, with their message claims.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub rlid: Option<String>,
    /// Page size hint.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub limit: Option<u32>,
    /// Fetch this URL instead of the launch's memberships URL (e.g. the differences link).
    #[serde(default)]
    #[ts(optional = nullable)]
    pub url: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Member {
    #[ts(optional = nullable)]
    pub status: Option<String>,
    pub user_id: String,
    pub roles: Vec<String>,
    pub role_badges: Vec<RoleBadge>,
    #[ts(optional = nullable)]
    pub name: Option<String>,
    #[ts(optional = nullable)]
    pub given_name: Option<String>,
    #[ts(optional = nullable)]
    pub family_name: Option<String>,
    #[ts(optional = nullable)]
    pub email: Option<String>,
    #[ts(optional = nullable)]
    pub picture: Option<String>,
    #[ts(optional = nullable)]
    pub lis_person_sourcedid: Option<String>,
    /// With rlid: the message claims of that link for this member.
    #[ts(optional = nullable)]
    pub message: Option<Value>,
    /// The member as the platform sent it.
    pub raw: Value,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Roster {
    #[ts(optional = nullable)]
    pub context: Option<Value>,
    pub members: Vec<Member>,
    /// The `rel="differences"` link: changes since this call.
    #[ts(optional = nullable)]
    pub differences_url: Option<String>,
    /// Every exchange (token requests and pages), for the raw pages.
    pub log: super::CallLog,
}

fn member(raw: &Value) -> Member {
    let s = |k: &str| raw.get(k).and_then(Value::as_str).map(str::to_string);
    let roles: Vec<Value> = raw
        .get("roles")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    Member {
        status: s("status"),
        user_id: s("user_id").unwrap_or_default(),
        roles: roles
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        role_badges: roles::parse_roles(&roles),
        name: s("name"),
        given_name: s("given_name"),
        family_name: s("family_name"),
        email: s("email"),
        picture: s("picture"),
        lis_person_sourcedid: s("lis_person_sourcedid"),
        message: raw.get("message").cloned(),
        raw: raw.clone(),
    }
}

/// The roster of the launch's context, every page followed.
pub async fn roster(tool: &ToolSide, args: RosterArgs) -> Result<Roster> {
    let ctx = LaunchContext::of_flow(tool, &args.flow_id).await?;
    let mut log = CallLog::default();
    let mut report = Report::new();
    let result = fetch(tool, &ctx, &args, &mut log, &mut report).await;
    let result = super::recorded(
        tool,
        &ctx,
        ("nrps_response", "NRPS roster"),
        "nrps",
        &mut log,
        &mut report,
        result,
    )
    .await;
    let (context, members, differences_url) = result?;
    Ok(Roster {
        context,
        members,
        differences_url,
        log,
    })
}

type Fetched = (Option<Value>, Vec<Member>, Option<String>);

async fn fetch(
    tool: &ToolSide,
    ctx: &LaunchContext,
    args: &RosterArgs,
    log: &mut CallLog,
    report: &mut Report,
) -> Result<Fetched> {
    let first = match args.url.clone().filter(|u| !u.is_empty()) {
        Some(u) => u,
        None => {
            let base = ctx.memberships.clone().ok_or_else(|| {
                Error::BadRequest(
                    "the launch carries no NRPS claim (context_memberships_url): the platform did not grant the roster service".into(),
                )
            })?;
            super::with_query(
                &base,
                &[
                    ("role", args.role.clone()),
                    ("rlid", args.rlid.clone()),
                    ("limit", args.limit.map(|l| l.to_string())),
                ],
            )?
        }
    };
    let (mut context, mut members, mut differences) = (None, Vec::new(), None);
    let mut next = Some(first);
    let mut seen = std::collections::HashSet::new();
    while let Some(url) = next.take() {
        if !seen.insert(url.clone()) {
            report.push(
                Finding::fail(
                    "service.link_header",
                    "The next link points at a page already fetched; paging stopped.",
                )
                .actual(url),
            );
            break;
        }
        if seen.len() > MAX_PAGES {
            report.push(validate::warn(
                "service.link_header",
                format!("More than {MAX_PAGES} pages: paging stopped."),
            ));
            break;
        }
        let reply = super::call(
            tool,
            ctx,
            Call {
                step: "nrps",
                method: reqwest::Method::GET,
                url: url.clone(),
                accept: media::MEMBERSHIP_CONTAINER,
                content_type: None,
                body: vec![],
                needs: &[scope::NRPS],
            },
            log,
            report,
        )
        .await?;
        validate::media_type(&reply.answer(), media::MEMBERSHIP_CONTAINER, report);
        let links = validate::links(&reply.answer(), report);
        if let Some(d) = validate::rel(&links, "differences") {
            differences = Some(d.to_string());
        }
        next = validate::rel(&links, "next").map(str::to_string);
        let Some(body) = validate::json(&reply.answer(), report) else {
            break;
        };
        validate::membership(&body, report);
        if context.is_none() {
            context = body.get("context").cloned();
        }
        if let Some(ms) = body.get("members").and_then(Value::as_array) {
            members.extend(ms.iter().map(member));
        }
    }
    Ok((context, members, differences))
}
