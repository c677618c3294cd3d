//! Command handlers of the service client (re-exported by the command table's handlers).

use super::ags::{self, *};
use super::nrps::{self, Roster, RosterArgs};
use crate::engine::Engine;
use crate::error::Result;

pub async fn get_roster(engine: &Engine, args: RosterArgs) -> Result<Roster> {
    nrps::roster(engine, args).await
}

pub async fn list_line_items(engine: &Engine, args: ListLineItemsArgs) -> Result<LineItems> {
    ags::list_line_items(engine, args).await
}

pub async fn save_line_item(engine: &Engine, args: SaveLineItemArgs) -> Result<SavedLineItem> {
    ags::save_line_item(engine, args).await
}

pub async fn delete_line_item(engine: &Engine, args: LineItemArgs) -> Result<DeletedLineItem> {
    ags::delete_line_item(engine, args).await
}

pub async fn post_score(engine: &Engine, args: PostScoreArgs) -> Result<PostedScore> {
    ags::post_score(engine, args).await
}

pub async fn get_results(engine: &Engine, args: ResultsArgs) -> Result<Results> {
    ags::get_results(engine, args).await
}
