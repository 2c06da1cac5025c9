//! One application's validated facts, aligned with its kind's fields.

use std::sync::Arc;

use crate::model::pack::{Field, Pack};
use crate::model::value::Value;

/// One application's validated facts, aligned with its kind's fields
#[derive(Debug)]
pub(crate) struct Facts {
    pub(crate) id: String,
    pub(crate) kind: String,
    pub(crate) fields: Arc<Vec<Field>>,
    pub(crate) values: Vec<Option<Value>>,
}

impl Facts {
    pub(crate) fn get(&self, name: &str) -> Option<&Value> {
        let i = self.fields.iter().position(|f| f.name == name)?;
        self.values.get(i)?.as_ref()
    }
}

/// An application that passed its checks, with what the decision needs of it
#[derive(Clone)]
pub(crate) struct Checked {
    pub(crate) facts: Arc<Facts>,
    pub(crate) clause: usize,
}

impl Pack {
    /// An application's period (year), from the pack's `period` field
    pub(crate) fn period_of(&self, facts: &Facts) -> Option<i64> {
        match facts.get(self.period.as_deref()?) {
            Some(Value::Int(y)) => Some(*y),
            _ => None,
        }
    }
}
