"""Form definitions as data: loading, validation, rendering data and the API's JSON Schema."""

from .definition import load_form, load_form_file
from .errors import FormDefinitionError
from .model import Condition, Field, Form, Option, RelativeDate, Text
from .platform import TEMPLATE_FOLDER, load_platform_form, platform_form_names
from .render import render_fields
from .schema import json_schema
from .validate import Result, validate

__all__ = [
    "Condition", "Field", "Form", "FormDefinitionError", "Option", "RelativeDate", "Result",
    "TEMPLATE_FOLDER", "Text", "json_schema", "load_form", "load_form_file", "load_platform_form",
    "platform_form_names", "render_fields", "validate",
]
