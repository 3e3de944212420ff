"""Custom events the bot dispatches (``bot.dispatch(NAME, ...)``)."""

#: Dispatched with the interaction once the bot has finished answering it
#: (result, refusal or error). The offline console and the tests wait for it.
INTERACTION_DONE = "layerlab_interaction_done"
