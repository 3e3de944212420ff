"""Discord glue: turning service results into messages, buttons and error replies."""
