from django.urls import path

from . import views

app_name = "funding"

urlpatterns = [
    path("", views.home, name="home"),
    path("committees/<int:pk>/", views.committee_money, name="committee_money"),
    path("committees/<int:pk>/years/new/", views.year_open, name="year_open"),
    path("years/<int:pk>/", views.year_detail, name="year_detail"),
    path("years/<int:pk>/close/", views.year_close, name="year_close"),
    path("years/<int:pk>/ledger/", views.ledger, name="ledger"),
    path("years/<int:pk>/ledger.xlsx", views.ledger_xlsx, name="ledger_xlsx"),
    path("years/<int:pk>/shares.xlsx", views.shares_xlsx, name="shares_xlsx"),
    path("years/<int:pk>/income/new/", views.income_create, name="income_create"),
    path("income/<int:pk>/edit/", views.income_update, name="income_update"),
    path("years/<int:pk>/expenses/new/", views.expense_create, name="expense_create"),
    path("expenses/<int:pk>/edit/", views.expense_update, name="expense_update"),
    path("income/<int:pk>/void/", views.income_void, name="income_void"),
    path("expenses/<int:pk>/void/", views.expense_void, name="expense_void"),
    path("receipts/<int:pk>/", views.receipt_file, name="receipt_file"),
    path("years/<int:pk>/budget/", views.budget, name="budget"),
    path("years/<int:pk>/budget/adopt/", views.budget_adopt, name="budget_adopt"),
    path("budget-lines/<int:pk>/delete/", views.budget_line_delete, name="budget_line_delete"),
    path("years/<int:pk>/shares/new/", views.share_plan_create, name="share_plan_create"),
    path("shares/<int:pk>/", views.share_plan_detail, name="share_plan_detail"),
    path("shares/<int:pk>/edit/", views.share_plan_update, name="share_plan_update"),
    path("shares/<int:pk>/resolution/", views.share_plan_link, name="share_plan_link"),
    path("shares/<int:pk>/propose/", views.share_plan_propose, name="share_plan_propose"),
    path("shares/<int:pk>/activate/", views.share_plan_activate, name="share_plan_activate"),
    path("shares/<int:pk>/revise/", views.share_plan_revise, name="share_plan_revise"),
    path("years/<int:pk>/arrears/", views.arrears, name="arrears"),
    path("years/<int:pk>/arrears/remind/", views.arrears_remind, name="arrears_remind"),
    path("years/<int:pk>/payments/new/", views.payment_create, name="payment_create"),
    path("payments/<int:pk>/", views.payment_detail, name="payment_detail"),
    path("payments/<int:pk>/refund/", views.payment_refund, name="payment_refund"),
    path("payments/<int:pk>/receipt.pdf", views.payment_receipt_pdf, name="payment_receipt_pdf"),
    path("units/<int:pk>/", views.unit_dues, name="unit_dues"),
    path("townships/", views.township_list, name="township_list"),
    path("townships/<int:pk>/", views.township_overview, name="township_overview"),
]
