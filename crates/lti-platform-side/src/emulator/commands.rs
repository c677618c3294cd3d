//! Command handlers of the emulator (course, roster, tool registry, gradebook, launches). The
//! command table of `lti-inspector` names them; its handlers make sure the demo course exists
//! first (seeding it registers the tool side too, which only the composition knows).

use super::launch::{self, LaunchArgs, LaunchUrl, NegativeTest, NegativeTestInfo};
use super::model::*;
pub use super::types::*;
use super::{base_url, db, paths};
use crate::PlatformSide;
use lti_core::command_args::{Deleted, IdArgs, NoArgs};
use lti_core::error::{Error, Result};
use lti_core::model_changes::ModelKind;

pub async fn launch_url(platform: &PlatformSide, args: LaunchArgs) -> Result<LaunchUrl> {
    launch::create(platform, args).await
}

pub async fn list_negative_tests(_: &PlatformSide, _: NoArgs) -> Result<Vec<NegativeTestInfo>> {
    Ok(NegativeTest::ALL
        .iter()
        .map(|n| {
            // The matrix measures each negative test as the case named by its rule.
            let (refused_by, accepted_by) = lti_protocol::compat::who_refuses(n.rule_id());
            NegativeTestInfo {
                id: *n,
                rule_id: n.rule_id().into(),
                label: n.label().into(),
                refused_by,
                accepted_by,
            }
        })
        .collect())
}

pub async fn get_emulator_setup(platform: &PlatformSide, _: NoArgs) -> Result<EmulatorSetup> {
    let base = base_url(platform);
    let kid = match platform.keystore_status().ok {
        true => platform
            .keys()
            .signing_key(lti_core::signing_keys::KeyRole::Emulator)
            .await
            .ok()
            .map(|k| k.kid().to_string()),
        false => None,
    };
    Ok(EmulatorSetup {
        auth_endpoint: format!("{base}{}", paths::AUTH),
        token_endpoint: format!("{base}{}", paths::TOKEN),
        jwks_url: format!("{base}{}", paths::JWKS),
        openid_configuration: format!("{base}{}", paths::OPENID_CONFIGURATION),
        issuer: base,
        kid,
        running: platform.status().running,
    })
}

fn members_of(c: &rusqlite::Connection, course_id: &str) -> Result<Vec<CourseMember>> {
    let mut out = Vec::new();
    for e in db::enrollments(c, course_id)? {
        if let Some(user) = db::user(c, &e.user_id)? {
            out.push(CourseMember {
                user,
                roles: e.roles,
                status: e.status,
            });
        }
    }
    Ok(out)
}

pub async fn list_emulator_courses(platform: &PlatformSide, _: NoArgs) -> Result<Vec<CourseView>> {
    platform
        .store()
        .read(|c| {
            db::courses(c)?
                .into_iter()
                .map(|course| {
                    Ok(CourseView {
                        members: members_of(c, &course.id)?,
                        resource_links: db::resource_links(c, &course.id)?,
                        line_items: db::line_items(c, &course.id, &Default::default())?,
                        content_items: db::content_items(c, &course.id)?,
                        course,
                    })
                })
                .collect()
        })
        .await
}

pub async fn list_emulator_users(platform: &PlatformSide, _: NoArgs) -> Result<Vec<EmulatorUser>> {
    platform.store().read(db::users).await
}

pub async fn list_emulator_tools(platform: &PlatformSide, _: NoArgs) -> Result<Vec<EmulatorTool>> {
    platform.store().read(db::tools).await
}

fn http_url(field: &str, u: &str) -> Result<String> {
    let t = u.trim();
    match url::Url::parse(t) {
        Ok(p) if (p.scheme() == "http" || p.scheme() == "https") && p.host().is_some() => {
            Ok(t.to_string())
        }
        Ok(_) => Err(Error::BadRequest(format!(
            "{field}: {t:?} is not an http(s) URL"
        ))),
        Err(e) => Err(Error::BadRequest(format!(
            "{field}: {t:?} is not a URL: {e}"
        ))),
    }
}

fn opt_url(field: &str, u: Option<String>) -> Result<Option<String>> {
    u.map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .map(|s| http_url(field, &s))
        .transpose()
}

fn short_id(prefix: &str) -> String {
    format!("{prefix}{}", &lti_core::ids::secret_token()[..12])
}

pub async fn save_emulator_tool(platform: &PlatformSide, input: ToolInput) -> Result<EmulatorTool> {
    let existing = match input.id.clone() {
        Some(id) => Some(
            platform
                .store()
                .read(move |c| db::tool_required(c, &id))
                .await?,
        ),
        None => None,
    };
    let login_url = http_url("login_url", &input.login_url)?;
    let redirect_uris: Vec<String> = input
        .redirect_uris
        .iter()
        .map(|u| u.trim())
        .filter(|u| !u.is_empty())
        .map(|u| http_url("redirect_uris", u))
        .collect::<Result<_>>()?;
    if redirect_uris.is_empty() {
        return Err(Error::BadRequest(
            "redirect_uris: at least one redirect URI is required (they are matched exactly)"
                .into(),
        ));
    }
    let target_link_uri = opt_url("target_link_uri", input.target_link_uri)?
        .unwrap_or_else(|| redirect_uris[0].clone());
    let scopes = match input.scopes {
        Some(s) => {
            let s: Vec<String> = s
                .into_iter()
                .map(|x| x.trim().to_string())
                .filter(|x| !x.is_empty())
                .collect();
            if let Some(bad) = s.iter().find(|x| !scope::ALL.contains(&x.as_str())) {
                return Err(Error::BadRequest(format!(
                    "scopes: {bad:?} is not an AGS or NRPS scope"
                )));
            }
            s
        }
        None => existing
            .as_ref()
            .map(|t| t.scopes.clone())
            .unwrap_or_else(|| scope::ALL.iter().map(|s| s.to_string()).collect()),
    };
    // Absent keeps the stored key; an explicitly empty string removes it (back to the JWKS
    // URL), as for platform registrations.
    let public_jwks = match input.public_key.as_deref().map(str::trim) {
        Some("") => None,
        Some(text) => Some(lti_protocol::jwk::parse_pasted(text).map_err(Error::BadRequest)?),
        None => existing.as_ref().and_then(|t| t.public_jwks.clone()),
    };
    let now = lti_core::clock::now_ms();
    let client_id = input
        .client_id
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .or_else(|| existing.as_ref().map(|t| t.client_id.clone()))
        .unwrap_or_else(|| short_id("emu-"));
    let host = url::Url::parse(&login_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_default();
    let tool = EmulatorTool {
        id: existing
            .as_ref()
            .map(|t| t.id.clone())
            .unwrap_or_else(lti_core::ids::sortable_id),
        name: if input.name.trim().is_empty() {
            format!("Tool at {host}")
        } else {
            input.name.trim().to_string()
        },
        client_id,
        login_url,
        redirect_uris,
        target_link_uri,
        deep_link_url: opt_url("deep_link_url", input.deep_link_url)?,
        jwks_url: opt_url("jwks_url", input.jwks_url)?,
        public_jwks,
        custom: input
            .custom
            .or_else(|| existing.as_ref().map(|t| t.custom.clone()))
            .unwrap_or_default(),
        scopes,
        deployment_ids: vec![],
        demo: existing.as_ref().is_some_and(|t| t.demo),
        created_at: existing.as_ref().map(|t| t.created_at).unwrap_or(now),
        updated_at: now,
    };
    let deployment = input
        .deployment_id
        .map(|d| d.trim().to_string())
        .filter(|d| !d.is_empty())
        .or_else(|| existing.is_none().then(|| short_id("dep-")));
    if let Some(d) = &deployment {
        if d.len() > 255 || !d.is_ascii() {
            return Err(Error::BadRequest(
                "deployment_id must be at most 255 ASCII characters".into(),
            ));
        }
    }
    let course = input.course_id.clone();
    let t = tool.clone();
    platform
        .core()
        .write_model(ModelKind::EmulatorTool, Some(tool.id.clone()), move |tx| {
            if let Some(c) = &course {
                db::course_required(tx, c)?;
            }
            db::upsert_tool(tx, &t)?;
            if let Some(d) = &deployment {
                db::insert_deployment(tx, d, &t.id, course.as_deref())?;
            }
            Ok(())
        })
        .await?;
    let id = tool.id.clone();
    platform
        .store()
        .read(move |c| db::tool_required(c, &id))
        .await
}

pub async fn delete_emulator_tool(platform: &PlatformSide, args: IdArgs) -> Result<Deleted> {
    let id = args.id.clone();
    let deleted = platform
        .core()
        .write_model(ModelKind::EmulatorTool, Some(id), move |tx| {
            db::delete_tool(tx, &args.id)
        })
        .await?;
    if !deleted {
        return Err(Error::NotFound("emulator tool".into()));
    }
    Ok(Deleted { deleted })
}

pub async fn save_resource_link(
    platform: &PlatformSide,
    input: ResourceLinkInput,
) -> Result<ResourceLink> {
    if input.title.trim().is_empty() {
        return Err(Error::BadRequest("title is required".into()));
    }
    let url = opt_url("url", input.url.clone())?;
    if let Some(m) = input.score_maximum {
        if !(m > 0.0 && m.is_finite()) {
            return Err(Error::BadRequest(
                "score_maximum must be a number greater than 0".into(),
            ));
        }
    }
    let now = lti_core::clock::now_ms();
    let link = ResourceLink {
        id: format!("rl-{}", lti_core::ids::sortable_id()),
        course_id: input.course_id.clone(),
        tool_id: input.tool_id.clone(),
        title: input.title.trim().to_string(),
        description: input.description.clone(),
        url,
        custom: input.custom.clone().unwrap_or_default(),
        source: "manual".into(),
        created_at: now,
    };
    let l = link.clone();
    platform
        .core()
        .write_model(ModelKind::ResourceLink, Some(link.id.clone()), move |tx| {
            db::course_required(tx, &l.course_id)?;
            db::tool_required(tx, &l.tool_id)?;
            db::insert_resource_link(tx, &l)?;
            if let Some(max) = input.score_maximum {
                db::upsert_line_item(
                    tx,
                    &LineItem {
                        id: lti_core::ids::sortable_id(),
                        course_id: l.course_id.clone(),
                        tool_id: l.tool_id.clone(),
                        resource_link_id: Some(l.id.clone()),
                        label: l.title.clone(),
                        score_maximum: max,
                        resource_id: None,
                        tag: None,
                        start_date_time: None,
                        end_date_time: None,
                        grades_released: None,
                        created_at: now,
                        updated_at: now,
                    },
                )?;
            }
            Ok(())
        })
        .await?;
    Ok(link)
}

pub async fn save_emulator_user(platform: &PlatformSide, input: UserInput) -> Result<EmulatorUser> {
    let (given, family) = (
        input.given_name.trim().to_string(),
        input.family_name.trim().to_string(),
    );
    if given.is_empty() && family.is_empty() {
        return Err(Error::BadRequest(
            "a name is required (given_name or family_name)".into(),
        ));
    }
    let id = input
        .id
        .map(|i| i.trim().to_string())
        .filter(|i| !i.is_empty())
        .unwrap_or_else(|| short_id("user-"));
    if id.len() > 255 || !id.is_ascii() {
        return Err(Error::BadRequest(
            "the user id (sub) must be at most 255 ASCII characters".into(),
        ));
    }
    // Editing keeps what the form does not carry (sourcedid, locale, the demo flag) and, when
    // roles are not given, the current roles.
    let existing = {
        let id = id.clone();
        platform.store().read(move |c| db::user(c, &id)).await?
    };
    let user = EmulatorUser {
        name: format!("{given} {family}").trim().to_string(),
        id,
        given_name: given,
        family_name: family,
        email: input.email.filter(|e| !e.trim().is_empty()),
        picture: opt_url("picture", input.picture)?,
        locale: existing
            .as_ref()
            .and_then(|e| e.locale.clone())
            .or_else(|| Some("en-US".into())),
        sourcedid: existing.as_ref().and_then(|e| e.sourcedid.clone()),
        system_roles: input
            .system_roles
            .or_else(|| existing.as_ref().map(|e| e.system_roles.clone()))
            .unwrap_or_else(|| vec![role::SYSTEM_USER.into()]),
        institution_roles: input
            .institution_roles
            .or_else(|| existing.as_ref().map(|e| e.institution_roles.clone()))
            .unwrap_or_default(),
        demo: existing.as_ref().is_some_and(|e| e.demo),
    };
    let u = user.clone();
    platform
        .core()
        .write_model(ModelKind::User, Some(user.id.clone()), move |tx| {
            db::upsert_user(tx, &u)
        })
        .await?;
    Ok(user)
}

pub async fn save_emulator_course(
    platform: &PlatformSide,
    input: CourseInput,
) -> Result<EmulatorCourse> {
    if input.title.trim().is_empty() {
        return Err(Error::BadRequest("title is required".into()));
    }
    let existing = match input.id.clone() {
        Some(id) => Some(
            platform
                .store()
                .read(move |c| db::course_required(c, &id))
                .await?,
        ),
        None => None,
    };
    let course = EmulatorCourse {
        id: existing
            .as_ref()
            .map(|c| c.id.clone())
            .unwrap_or_else(lti_core::ids::sortable_id),
        context_id: input
            .context_id
            .filter(|c| !c.trim().is_empty())
            .or_else(|| existing.as_ref().map(|c| c.context_id.clone()))
            .unwrap_or_else(|| short_id("ctx-")),
        label: input.label.trim().to_string(),
        title: input.title.trim().to_string(),
        types: existing
            .as_ref()
            .map(|c| c.types.clone())
            .unwrap_or_else(|| vec![lti_protocol::vocab::context_type::COURSE_OFFERING.into()]),
        sourcedid: existing.as_ref().and_then(|c| c.sourcedid.clone()),
        demo: existing.as_ref().is_some_and(|c| c.demo),
        created_at: existing
            .as_ref()
            .map(|c| c.created_at)
            .unwrap_or_else(lti_core::clock::now_ms),
    };
    let c = course.clone();
    platform
        .core()
        .write_model(ModelKind::Course, Some(course.id.clone()), move |tx| {
            db::upsert_course(tx, &c)
        })
        .await?;
    Ok(course)
}

pub async fn save_enrollment(
    platform: &PlatformSide,
    input: EnrollmentInput,
) -> Result<Enrollment> {
    let status = input.status.unwrap_or_else(|| "Active".into());
    if !["Active", "Inactive", "Deleted"].contains(&status.as_str()) {
        return Err(Error::BadRequest(
            "status must be Active, Inactive or Deleted".into(),
        ));
    }
    let e = Enrollment {
        course_id: input.course_id,
        user_id: input.user_id,
        roles: input
            .roles
            .iter()
            .map(|r| role::context_role(r))
            .filter(|r| !r.is_empty())
            .collect(),
        status,
        mentees: input.mentees.filter(|m| !m.is_empty()),
        updated_at: lti_core::clock::now_ms(),
    };
    let saved = e.clone();
    platform
        .core()
        .write_model(
            ModelKind::Enrollment,
            Some(e.course_id.clone()),
            move |tx| {
                db::course_required(tx, &saved.course_id)?;
                db::user(tx, &saved.user_id)?
                    .ok_or_else(|| Error::NotFound(format!("emulator user {}", saved.user_id)))?;
                db::upsert_enrollment(tx, &saved)
            },
        )
        .await?;
    Ok(e)
}

pub async fn get_gradebook(platform: &PlatformSide, args: GradebookArgs) -> Result<Gradebook> {
    platform
        .store()
        .read(move |c| {
            let course = db::course_required(c, &args.course_id)?;
            let tools = db::tools(c)?;
            let line_items = db::line_items(c, &course.id, &Default::default())?
                .into_iter()
                .map(|i| GradebookColumn {
                    tool_name: tools
                        .iter()
                        .find(|t| t.id == i.tool_id)
                        .map(|t| t.name.clone())
                        .unwrap_or_default(),
                    line_item: i,
                })
                .collect();
            Ok(Gradebook {
                members: members_of(c, &course.id)?,
                cells: db::course_results(c, &course.id)?,
                lti11: super::lti11::outcomes::grades(c, &course.id)?,
                line_items,
                course,
            })
        })
        .await
}
