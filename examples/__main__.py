# Pulumi's Python entry point: the stack is ai_model_stack.py.
import ai_model_stack  # noqa: F401
