//! Bounds on what one script run may use: operations, nesting, sizes, variables, time.

/// Bounds on what one script run may use; past them the run stops with an error
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScriptLimits {
    /// Operations one decision may take (an endless loop stops here)
    pub max_operations: u64,
    /// Deepest nesting of function calls
    pub max_call_levels: usize,
    /// Deepest nesting of expressions, at top level and inside functions
    pub max_expr_depth: usize,
    /// Longest string, in bytes
    pub max_string_size: usize,
    /// Largest array
    pub max_array_size: usize,
    /// Largest object map
    pub max_map_size: usize,
    /// Most variables alive at once
    pub max_variables: usize,
    /// Wall-clock time one decision may take, in milliseconds: a backstop for scripts whose
    /// operations are each expensive (the operation limit is the deterministic bound)
    pub max_millis: u64,
}

impl Default for ScriptLimits {
    fn default() -> Self {
        ScriptLimits {
            max_operations: 100_000,
            max_call_levels: 32,
            max_expr_depth: 64,
            max_string_size: 4 * 1024,
            max_array_size: 1024,
            max_map_size: 1024,
            max_variables: 256,
            max_millis: 1_000,
        }
    }
}
