"""The pytest-lsp client the language server's end-to-end tests drive it with."""

from __future__ import annotations

from typing import Any

from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import LanguageClient
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features


class Client(LanguageClient):
    """pytest-lsp's client, keeping every publishDiagnostics (with its version) in order and
    every capability the server registers."""

    def __init__(self) -> None:
        super().__init__(converter_factory=default_converter)
        self.published: list[types.PublishDiagnosticsParams] = []
        self.registrations: list[types.Registration] = []


def make_client() -> Client:
    """A :class:`Client` with pytest-lsp's features and these two recorders."""
    client = Client()

    def publish(client: Client, params: types.PublishDiagnosticsParams) -> None:
        client.published.append(params)
        client.diagnostics[params.uri] = params.diagnostics

    def register(client: Client, params: types.RegistrationParams) -> None:
        client.registrations.extend(params.registrations)

    features: dict[str, Any] = dict(DEFAULT_CLIENT_FEATURES)
    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = publish
    features[types.CLIENT_REGISTER_CAPABILITY] = register
    register_lsp_features(client, features)
    return client
