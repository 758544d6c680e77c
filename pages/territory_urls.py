from django.urls import path

from pages import territories as views
from pages import territory_drafts as views_drafts
from pages import territory_plans as views_plans

app_name = "territories"
urlpatterns = [
    path("", views.territory_index, name="territory-list"),
    path("new/", views.territory_create, name="territory-create"),
    path("<int:pk>/", views.territory_detail, name="territory-detail"),
    path("<int:pk>/close/", views.territory_close_view, name="territory-close"),
    path("<int:pk>/reps/", views.rep_add, name="rep-add"),
    path("<int:pk>/reps/end/", views.rep_end, name="rep-end"),
    path("rules/", views.rule_index, name="rule-list"),
    path("rules/new/", views.rule_edit, name="rule-create"),
    path("rules/<int:pk>/", views.rule_edit, name="rule-edit"),
    path("rules/<int:pk>/delete/", views.rule_delete, name="rule-delete"),
    path("rules/apply/", views.rule_apply, name="rule-apply"),
    path("balance/", views_plans.balance, name="balance"),
    path("balance/apply/", views_plans.balance_apply_view, name="balance-apply"),
    path("plans/", views_drafts.plan_index, name="plan-list"),
    path("plans/<int:pk>/", views_drafts.plan_detail, name="plan-detail"),
    path("plans/<int:pk>/activate/", views_drafts.plan_activate_view, name="plan-activate"),
    path("segments/", views_plans.segments, name="segments"),
    path("segments/tiers/", views_plans.tiers_apply, name="tiers-apply"),
    path("segments/criteria/", views_plans.criterion_save, name="icp-create"),
    path("segments/criteria/<int:pk>/", views_plans.criterion_save, name="icp-edit"),
    path("segments/criteria/<int:pk>/delete/", views_plans.criterion_delete, name="icp-delete"),
]
