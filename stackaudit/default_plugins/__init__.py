"""stackaudit's own plugins, registered by module name through the same hooks as third-party ones."""
