"""Command safety: shell analysis (the only bashlex user), the exec approvals policy and
document, the approval broker every resolver goes through, and the exec runner."""
