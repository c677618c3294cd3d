-- The platform emulator: a small LMS (courses, users, enrollments, deployments, registered tools,
-- resource links, line items, scores) plus the short-lived state of its OIDC launches, access
-- tokens and client assertions. Public keys only: the emulator's private key is in the keychain.
CREATE TABLE emu_courses (
    id          TEXT PRIMARY KEY,             -- internal id, used in service URLs
    context_id  TEXT NOT NULL UNIQUE,         -- the LTI context.id
    label       TEXT NOT NULL,
    title       TEXT NOT NULL,
    types       TEXT NOT NULL DEFAULT '["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"]',
    sourcedid   TEXT,                         -- lis.course_offering_sourcedid
    demo        INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL
);

CREATE TABLE emu_users (
    id                TEXT PRIMARY KEY,       -- the LTI `sub`
    given_name        TEXT NOT NULL DEFAULT '',
    family_name       TEXT NOT NULL DEFAULT '',
    name              TEXT NOT NULL DEFAULT '',
    email             TEXT,
    picture           TEXT,
    locale            TEXT,
    sourcedid         TEXT,                   -- lis.person_sourcedid
    system_roles      TEXT NOT NULL DEFAULT '[]',   -- JSON array of full role URIs
    institution_roles TEXT NOT NULL DEFAULT '[]',
    demo              INTEGER NOT NULL DEFAULT 0,
    created_at        INTEGER NOT NULL
);

-- Context roles of a user in a course. Removing a member marks it Deleted (NRPS differences).
CREATE TABLE emu_enrollments (
    course_id   TEXT NOT NULL REFERENCES emu_courses(id),
    user_id     TEXT NOT NULL REFERENCES emu_users(id),
    roles       TEXT NOT NULL DEFAULT '[]',   -- JSON array of full context role URIs
    status      TEXT NOT NULL DEFAULT 'Active', -- Active | Inactive | Deleted
    mentees     TEXT,                         -- JSON array of user ids (role_scope_mentor)
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (course_id, user_id)
);

CREATE TABLE emu_tools (
    id               TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    client_id        TEXT NOT NULL UNIQUE,
    login_url        TEXT NOT NULL,
    redirect_uris    TEXT NOT NULL,           -- JSON array, matched exactly
    target_link_uri  TEXT NOT NULL,
    deep_link_url    TEXT,
    jwks_url         TEXT,
    public_jwks      TEXT,                    -- pasted key normalised to a JWKS
    custom           TEXT NOT NULL DEFAULT '{}', -- JSON object of custom parameters
    scopes           TEXT NOT NULL DEFAULT '[]', -- JSON array of granted service scopes
    demo             INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);

-- A deployment of a tool: platform-wide (course_id NULL) or for one course.
CREATE TABLE emu_deployments (
    deployment_id TEXT PRIMARY KEY,
    tool_id       TEXT NOT NULL REFERENCES emu_tools(id) ON DELETE CASCADE,
    course_id     TEXT REFERENCES emu_courses(id),
    created_at    INTEGER NOT NULL
);
CREATE INDEX emu_deployments_tool ON emu_deployments(tool_id);

CREATE TABLE emu_resource_links (
    id           TEXT PRIMARY KEY,            -- the LTI resource_link.id
    course_id    TEXT NOT NULL REFERENCES emu_courses(id),
    tool_id      TEXT NOT NULL REFERENCES emu_tools(id) ON DELETE CASCADE,
    title        TEXT NOT NULL DEFAULT '',
    description  TEXT,
    url          TEXT,                        -- target_link_uri; NULL = the tool's default
    custom       TEXT NOT NULL DEFAULT '{}',
    source       TEXT NOT NULL DEFAULT 'manual', -- demo | manual | deep_linking
    created_at   INTEGER NOT NULL
);
CREATE INDEX emu_resource_links_course ON emu_resource_links(course_id);

CREATE TABLE emu_line_items (
    id               TEXT PRIMARY KEY,
    course_id        TEXT NOT NULL REFERENCES emu_courses(id),
    tool_id          TEXT NOT NULL REFERENCES emu_tools(id) ON DELETE CASCADE,
    resource_link_id TEXT,
    label            TEXT NOT NULL,
    score_maximum    REAL NOT NULL,
    resource_id      TEXT,
    tag              TEXT,
    start_date_time  TEXT,
    end_date_time    TEXT,
    grades_released  INTEGER,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX emu_line_items_course ON emu_line_items(course_id, tool_id);

-- Every accepted score, as posted; results are the latest per (line item, user).
CREATE TABLE emu_scores (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    line_item_id      TEXT NOT NULL REFERENCES emu_line_items(id) ON DELETE CASCADE,
    user_id           TEXT NOT NULL,
    score_given       REAL,
    score_maximum     REAL,
    comment           TEXT,
    activity_progress TEXT NOT NULL,
    grading_progress  TEXT NOT NULL,
    timestamp         TEXT NOT NULL,
    timestamp_us      INTEGER NOT NULL,       -- parsed timestamp, for ordering
    body              TEXT NOT NULL,
    flow_id           TEXT,
    received_at       INTEGER NOT NULL
);
CREATE INDEX emu_scores_item_user ON emu_scores(line_item_id, user_id);

CREATE TABLE emu_results (
    line_item_id      TEXT NOT NULL REFERENCES emu_line_items(id) ON DELETE CASCADE,
    user_id           TEXT NOT NULL,
    score_given       REAL,
    score_maximum     REAL,
    result_score      REAL,
    result_maximum    REAL,
    comment           TEXT,
    activity_progress TEXT NOT NULL,
    grading_progress  TEXT NOT NULL,
    timestamp         TEXT NOT NULL,
    timestamp_us      INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    PRIMARY KEY (line_item_id, user_id)
);

-- One row per launch the emulator started; the id is the opaque lti_message_hint.
CREATE TABLE emu_launches (
    id               TEXT PRIMARY KEY,
    flow_id          TEXT NOT NULL,
    tool_id          TEXT NOT NULL,
    user_id          TEXT NOT NULL,
    course_id        TEXT NOT NULL,
    deployment_id    TEXT NOT NULL,
    message_type     TEXT NOT NULL,
    resource_link_id TEXT,
    for_user_id      TEXT,
    target_link_uri  TEXT NOT NULL,
    negative         TEXT,
    document_target  TEXT NOT NULL DEFAULT 'window',
    storage_target   TEXT,
    dl_data          TEXT,
    created_at       INTEGER NOT NULL,
    used_at          INTEGER,
    returned_at      INTEGER
);

CREATE TABLE emu_access_tokens (
    token       TEXT PRIMARY KEY,
    tool_id     TEXT NOT NULL,
    scopes      TEXT NOT NULL,                -- JSON array
    flow_id     TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL              -- unix milliseconds
);

-- jti of client assertions already used, kept until the assertion expires (replay check).
CREATE TABLE emu_assertion_jtis (
    tool_id     TEXT NOT NULL,
    jti         TEXT NOT NULL,
    expires_at  INTEGER NOT NULL,
    flow_id     TEXT,
    PRIMARY KEY (tool_id, jti)
);

-- Items a tool returned through deep linking, whatever their type, in return order.
CREATE TABLE emu_content_items (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    course_id        TEXT NOT NULL,
    tool_id          TEXT NOT NULL,
    launch_id        TEXT NOT NULL,
    item_type        TEXT NOT NULL,
    item_json        TEXT NOT NULL,
    resource_link_id TEXT,
    line_item_id     TEXT,
    flow_id          TEXT,
    created_at       INTEGER NOT NULL
);
CREATE INDEX emu_content_items_course ON emu_content_items(course_id);
