"""Evidence pages, mounted at the site's root: the application's and case's evidence and the
court administrator's log page under ``evidence/``, the public verification page at
``verify/``. The log's own C2SP paths are in ``urls_log.py``; the JSON API in ``api*.py``."""

from django.urls import path

from ecourt.evidence.views import items, registry, verify

app_name = "evidence"

urlpatterns = [
    # Parties, their agents, the judge, filing clerks
    path("evidence/applications/<int:pk>/", items.evidence_list, name="list"),
    path("evidence/applications/<int:pk>/add", items.item_add, name="item_add"),
    path("evidence/applications/<int:pk>/submit", items.list_submit, name="list_submit"),
    path("evidence/cases/<int:pk>/", items.case_evidence, name="case"),
    path("evidence/items/<int:pk>/", items.item_detail, name="item_detail"),
    path("evidence/items/<int:pk>/file", items.item_file, name="item_file"),
    path("evidence/items/<int:pk>/receipt.json", items.item_receipt, name="item_receipt"),
    path("evidence/items/<int:pk>/remove", items.item_remove, name="item_remove"),
    path("evidence/items/<int:pk>/opinion", items.item_opinion, name="item_opinion"),
    path(
        "evidence/items/<int:pk>/determination",
        items.item_determination,
        name="item_determination",
    ),
    # Court administrator
    path("evidence/registry/", registry.registry, name="registry"),
    path("evidence/registry/institutions", registry.institution_add, name="institution_add"),
    path("evidence/registry/institutions/<int:pk>/tokens", registry.token_add, name="token_add"),
    path("evidence/registry/tokens/<int:pk>/revoke", registry.token_revoke, name="token_revoke"),
    path("evidence/registry/witnesses", registry.witness_register, name="witness_add"),
    path(
        "evidence/registry/witnesses/<int:pk>/active",
        registry.witness_active,
        name="witness_active",
    ),
    # Anyone
    path("verify/", verify.verify_page, name="verify"),
]
