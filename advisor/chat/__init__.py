"""The conversation layer: prompts, the chat model provider, faults, events, memory, budgets,
the answer verifier, tools over the engine, the offline responder and the chat service
(``advisor.chat.service.ChatService``). Imports no web framework."""

from advisor.chat.budget import BudgetedHistory, count_tokens, extractive_summary, fit_history
from advisor.chat.events import (
    ChatEvent,
    CitationEvent,
    FinalEvent,
    Incident,
    PathwayCard,
    PathwayEvent,
    PathwayStepCard,
    TextDelta,
    ToolCallEvent,
    ToolResultEvent,
    Usage,
    parse_event,
)
from advisor.chat.faults import Fault, FaultKind, RetryPolicy
from advisor.chat.llm import ChatProvider, ModelReply, ToolCall, build_provider
from advisor.chat.memory import (
    Conversation,
    ConversationStore,
    ExchangeRecord,
    RetrievedItem,
    Turn,
    VerifierOutcome,
    open_store,
)
from advisor.chat.prompts import Prompt, PromptLibrary, PromptRef, load_prompts
from advisor.chat.verifier import AnswerVerifier, Problem, ProblemKind, RecordItemRef, verify_answer

__all__ = [
    "AnswerVerifier",
    "BudgetedHistory",
    "ChatEvent",
    "ChatProvider",
    "CitationEvent",
    "Conversation",
    "ConversationStore",
    "ExchangeRecord",
    "Fault",
    "FaultKind",
    "FinalEvent",
    "Incident",
    "ModelReply",
    "PathwayCard",
    "PathwayEvent",
    "PathwayStepCard",
    "Problem",
    "ProblemKind",
    "Prompt",
    "PromptLibrary",
    "PromptRef",
    "RecordItemRef",
    "RetrievedItem",
    "RetryPolicy",
    "TextDelta",
    "ToolCall",
    "ToolCallEvent",
    "ToolResultEvent",
    "Turn",
    "Usage",
    "VerifierOutcome",
    "build_provider",
    "count_tokens",
    "extractive_summary",
    "fit_history",
    "load_prompts",
    "open_store",
    "parse_event",
    "verify_answer",
]
