//! Artifacts: files a run produced, kept with their execution and downloadable through the API.

use sqlx::Row;
use trace_model::time;

use super::write::WriteConnection;
use super::{Dialect, Store, StoreError, from_sql_count, to_sql_count};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewArtifact {
    pub id: String,
    pub execution_id: String,
    pub span_id: Option<String>,
    pub name: String,
    pub content_type: String,
    pub content: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct ArtifactMeta {
    pub id: String,
    pub execution_id: String,
    pub span_id: Option<String>,
    pub name: String,
    pub content_type: String,
    pub size_bytes: u64,
}

impl Store {
    /// Stores an artifact; storing the same id again keeps the first copy.
    pub async fn put_artifact(&self, artifact: &NewArtifact) -> Result<(), StoreError> {
        super::check_id("artifact id", &artifact.id)?;
        super::check_id("execution id", &artifact.execution_id)?;
        if let Some(span) = &artifact.span_id {
            super::check_id("span id", span)?;
        }
        let turn = self.turns.take().await;
        let mut connection = WriteConnection::acquire(&self.pool).await?;
        let mut tx = connection.begin().await?;
        sqlx::query(
            "INSERT INTO artifacts (id, execution_id, span_id, name, content_type, size_bytes, content, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING",
        )
        .bind(artifact.id.clone())
        .bind(artifact.execution_id.clone())
        .bind(artifact.span_id.clone())
        .bind(self.dialect.store_text(&artifact.name).into_owned())
        .bind(self.dialect.store_text(&artifact.content_type).into_owned())
        .bind(to_sql_count(artifact.content.len() as u64))
        .bind(artifact.content.clone())
        .bind(time::format(&chrono::Utc::now()))
        .execute(&mut *tx)
        .await?;
        sqlx::query(super::ARTIFACT_COUNT).bind(artifact.execution_id.clone()).execute(&mut *tx).await?;
        self.changes.notify_in(&mut tx, &artifact.execution_id).await?;
        tx.commit().await?;
        connection.committed();
        drop(turn);
        self.changes.notify_local(&artifact.execution_id);
        Ok(())
    }

    /// An artifact's metadata and bytes.
    pub async fn artifact(&self, id: &str) -> Result<Option<(ArtifactMeta, Vec<u8>)>, StoreError> {
        if super::check_id("artifact id", id).is_err() {
            return Ok(None);
        }
        let row = sqlx::query(
            "SELECT id, execution_id, span_id, name, content_type, size_bytes, content FROM artifacts WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| Ok((meta_from_row(&row, self.dialect)?, row.try_get("content")?))).transpose()
    }
}

fn meta_from_row(row: &sqlx::any::AnyRow, dialect: Dialect) -> Result<ArtifactMeta, StoreError> {
    Ok(ArtifactMeta {
        id: row.try_get("id")?,
        execution_id: row.try_get("execution_id")?,
        span_id: row.try_get("span_id")?,
        // Names and types are the engine's text, U+0000 included (see `pg_text`).
        name: dialect.read_text(row.try_get("name")?),
        content_type: dialect.read_text(row.try_get("content_type")?),
        size_bytes: from_sql_count(row.try_get("size_bytes")?),
    })
}
