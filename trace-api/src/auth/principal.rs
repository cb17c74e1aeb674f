//! An authenticated caller.

use std::collections::BTreeSet;

/// The workspaces a caller may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Workspaces {
    All,
    Only(BTreeSet<String>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// Who, for the audit trail: the JWT subject or the service token's name.
    pub subject: String,
    pub scopes: BTreeSet<String>,
    pub workspaces: Workspaces,
}

impl Principal {
    /// The caller when authentication is disabled: everything is allowed.
    pub fn anonymous() -> Self {
        Self {
            subject: "anonymous".to_owned(),
            scopes: [super::SCOPE_READ, super::SCOPE_WRITE].into_iter().map(str::to_owned).collect(),
            workspaces: Workspaces::All,
        }
    }

    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.contains(scope)
    }

    pub fn can_see(&self, workspace: &str) -> bool {
        match &self.workspaces {
            Workspaces::All => true,
            Workspaces::Only(set) => set.contains(workspace),
        }
    }

    /// The workspace list for a query filter; `None` means no filter.
    pub fn workspace_filter(&self) -> Option<Vec<String>> {
        match &self.workspaces {
            Workspaces::All => None,
            Workspaces::Only(set) => Some(set.iter().cloned().collect()),
        }
    }
}
