"""Who may call what: the access policy of every gRPC method, declared as data.

Roles carried by a token:
- operator: everything (implicit on every method below and on any method not listed);
- auditor:  read-only, everything except key material;
- merchant: reads of its own merchant, terminals, statements and transactions only;
            each such rule names the request field (or, when the request names no
            merchant, the response field) that must equal the token's merchant_id;
- service:  another service of the platform calling on the purchase/settlement path;
- member:   a club member (the token's subject is the member id): its own data only; each
            such rule names the request field that must equal the token's subject.

A method not listed here is operator-only (fail closed). Health and reflection are open.
A `public()` method takes no token at all: sign-in, where the credential is in the request (a
one-time code, a password) and the service itself limits how often it may be tried.
`reads=False` marks a change: changes made by a person (operator or merchant token) are
written to the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass

OPERATOR = "operator"
AUDITOR = "auditor"
MERCHANT = "merchant"
SERVICE = "service"
MEMBER = "member"
ROLES = (OPERATOR, AUDITOR, MERCHANT, SERVICE, MEMBER)
PERSON_ROLES = (OPERATOR, AUDITOR, MERCHANT, MEMBER)

OPEN_METHOD_PREFIXES = ("/grpc.health.v1.Health/", "/grpc.reflection.")

CARDS = "/club.cards.v1.CardService/"
WALLET = "/club.wallet.v1.WalletService/"
TASHEEM = "/club.tasheem.v1.TasheemService/"
SWITCH = "/club.switch.v1.AuthorizationService/"
CRM = "/club.crm.v1.CrmService/"


@dataclass(frozen=True)
class Rule:
    roles: frozenset[str]
    reads: bool
    merchant_field: str = ""  # request field that must equal the token's merchant_id
    merchant_result_field: str = ""  # response field, for requests that name no merchant
    member_field: str = ""  # request field that must equal a member token's subject (the member id)
    public: bool = False  # no token needed: the request carries its own credential
    services: frozenset[str] = frozenset()  # with SERVICE: only these services (token subject and certificate)

    def __post_init__(self) -> None:
        if self.public:
            assert not (self.reads or self.merchant_field or self.merchant_result_field or self.member_field), self
            return
        assert OPERATOR in self.roles and set(self.roles) <= set(ROLES), self
        if MERCHANT in self.roles:
            # A merchant only reads, and only what is provably its own.
            assert self.reads and bool(self.merchant_field) != bool(self.merchant_result_field), self
        if AUDITOR in self.roles:
            assert self.reads, self
        # A member reaches only what the request proves is its own.
        assert (MEMBER in self.roles) == bool(self.member_field), self
        assert not self.services or SERVICE in self.roles, self


def read(*roles: str, merchant_field: str = "", merchant_result_field: str = "") -> Rule:
    """A read: the operator, the auditor, and whoever else is named."""
    extra = {MERCHANT} if (merchant_field or merchant_result_field) else set()
    return Rule(frozenset({OPERATOR, AUDITOR, *roles, *extra}), True, merchant_field, merchant_result_field)


def change(*roles: str, services: tuple[str, ...] = ()) -> Rule:
    """A change: the operator and whoever else is named (never auditor or merchant); `services`
    narrows SERVICE to those services."""
    return Rule(frozenset({OPERATOR, *roles}), False, services=frozenset(services))


def member_read(*roles: str, member_field: str = "member_id", merchant_field: str = "") -> Rule:
    """A read a member may make of its own data (the request's `member_field` is its id); with
    `merchant_field`, a merchant may too, of its own."""
    extra = {MERCHANT} if merchant_field else set()
    return Rule(frozenset({OPERATOR, AUDITOR, MEMBER, *roles, *extra}), True, merchant_field=merchant_field,
                member_field=member_field)


def member_change(*roles: str, member_field: str = "member_id") -> Rule:
    """A change a member may make to its own data (never an auditor's)."""
    return Rule(frozenset({OPERATOR, MEMBER, *roles}), False, member_field=member_field)


def public() -> Rule:
    """Sign-in: callable without a token; the service checks the credential in the request."""
    return Rule(frozenset({OPERATOR}), False, public=True)


def service_read() -> Rule:
    """A read that returns key material or reserves nothing: operator and services, not auditors."""
    return Rule(frozenset({OPERATOR, SERVICE}), True)


OPERATOR_ONLY = change()

POLICY: dict[str, Rule] = {
    # cards
    CARDS + "RegisterMember": change(SERVICE, services=("crm",)),  # crm's JoinClub: a member joining through the portal
    CARDS + "GetMember": member_read(SERVICE),
    CARDS + "UpdateMember": member_change(),  # a member: only her name, email, preferences, marketing consents
    CARDS + "ListMembers": read(SERVICE),
    CARDS + "SetMemberTier": change(SERVICE),  # the wallet's tier recomputation
    CARDS + "CreateProduct": change(),
    CARDS + "GetProduct": read(SERVICE),
    CARDS + "ListProducts": read(SERVICE),
    CARDS + "IssueCard": change(SERVICE, services=("crm",)),  # crm's JoinClub: the new member's virtual card
    CARDS + "BulkIssueCards": change(),
    CARDS + "GetCard": read(SERVICE),
    CARDS + "ListCards": member_read(SERVICE),  # cards carry only the masked PAN
    CARDS + "ActivateCard": change(),
    CARDS + "ChangeCardStatus": member_change(),  # a member: only block her own card as lost or stolen
    CARDS + "ReplaceCard": change(),
    CARDS + "ChangePin": change(),
    CARDS + "ResetPinTries": change(),
    CARDS + "ListCardEvents": read(SERVICE),
    CARDS + "AuthorizeCard": change(SERVICE),  # counts PIN tries: a change
    CARDS + "AuthorizeCards": change(SERVICE),
    CARDS + "RegisterTerminal": change(),
    CARDS + "GetTerminal": read(SERVICE, merchant_result_field="merchant_id"),
    CARDS + "ListTerminals": read(SERVICE, merchant_field="merchant_id"),
    CARDS + "ChangeTerminalStatus": change(SERVICE),  # the switch blocks a terminal after MAC failures
    CARDS + "ChangeTerminalKeys": change(SERVICE),  # 0800 key change through the switch
    CARDS + "GetTerminalKeys": service_read(),
    # wallet
    WALLET + "OpenAccount": change(SERVICE),
    WALLET + "CloseAccount": change(),
    WALLET + "GetAccount": read(SERVICE),
    WALLET + "ListAccountTransfers": read(SERVICE),
    WALLET + "CreateTransfers": change(SERVICE),  # settlement postings from tasheem
    WALLET + "OpenMemberAccounts": change(SERVICE),  # on member registration
    WALLET + "GetMemberBalances": member_read(SERVICE),
    WALLET + "TopUp": change(),
    WALLET + "Withdraw": change(),
    WALLET + "SetCreditLimit": change(),
    WALLET + "Purchase": change(SERVICE),
    WALLET + "PurchaseBatch": change(SERVICE),
    WALLET + "Capture": change(SERVICE),
    WALLET + "ReleaseHold": change(SERVICE),
    WALLET + "Reverse": change(SERVICE),
    WALLET + "Refund": change(SERVICE),
    WALLET + "AdjustPoints": change(),
    WALLET + "SpendPoints": change(SERVICE),  # tasheem's reward redemptions
    WALLET + "ReturnPoints": change(SERVICE),  # gives back only what a spend took
    WALLET + "ListPointsLots": member_read(SERVICE),
    WALLET + "ExpirePoints": change(SERVICE),
    WALLET + "RecomputeTiers": change(SERVICE),
    WALLET + "GetTierProgress": member_read(SERVICE),  # crm's member view, the member's portal
    WALLET + "MerchantActivity": read(SERVICE),
    WALLET + "Reconcile": change(SERVICE),  # may repair Redis
    # tasheem
    TASHEEM + "CreateParty": change(),
    TASHEEM + "ListParties": read(SERVICE),
    TASHEEM + "CreateMerchant": change(),
    TASHEEM + "GetMerchant": read(SERVICE, merchant_field="merchant_id"),
    TASHEEM + "UpdateMerchant": change(),
    TASHEEM + "ListMerchants": read(SERVICE),
    TASHEEM + "SetBeneficiaries": change(),
    TASHEEM + "CreateOffer": change(),
    TASHEEM + "UpdateOffer": change(),
    TASHEEM + "GetOffer": read(SERVICE),
    TASHEEM + "ListOffers": read(SERVICE, merchant_field="merchant_id"),  # a merchant: the offers it takes part in
    TASHEEM + "SetOfferActive": change(),
    TASHEEM + "Quote": change(SERVICE),  # reserves budgets
    TASHEEM + "QuoteBatch": change(SERVICE),
    TASHEEM + "Release": change(SERVICE),
    TASHEEM + "ReleasePart": change(SERVICE),
    TASHEEM + "CloseBatch": change(SERVICE),
    # A merchant reads batches only through its own merchant_id ("" = every merchant: not for it).
    TASHEEM + "GetBatch": read(SERVICE, merchant_field="merchant_id"),
    TASHEEM + "ListBatches": read(SERVICE, merchant_field="merchant_id"),
    TASHEEM + "ListBatchTransactions": read(SERVICE, merchant_field="merchant_id"),
    TASHEEM + "GetMerchantStatement": read(SERVICE, merchant_field="merchant_id"),
    TASHEEM + "GetFunderStatement": read(SERVICE),
    TASHEEM + "ReconcileTerminalTotals": change(SERVICE),  # ISO 8583 0500 through the switch
    TASHEEM + "ListTerminalReconciliations": read(SERVICE, merchant_field="merchant_id"),
    TASHEEM + "AssignCoupons": change(),
    TASHEEM + "GenerateCouponCodes": change(),  # the codes are in the answer once, never stored
    TASHEEM + "CreateSharedCode": change(),
    TASHEEM + "ClaimCoupon": member_change(SERVICE),  # a member claims a shared code for herself
    TASHEEM + "ListCoupons": member_read(SERVICE),
    TASHEEM + "ListBenefits": member_read(SERVICE),  # a member's own view, through the portal
    TASHEEM + "CreateReward": change(),
    TASHEEM + "GetReward": read(SERVICE),
    TASHEEM + "ListRewards": member_read(SERVICE),  # a member sees the catalog as hers to redeem
    TASHEEM + "RedeemReward": member_change(),  # spends a member's points: her own
    TASHEEM + "CancelVoucher": change(),  # gives them back
    TASHEEM + "ExpireVouchers": change(SERVICE),  # a sweep: does only what is due (as wallet ExpirePoints)
    # switch
    SWITCH + "Authorize": change(SERVICE),
    SWITCH + "Complete": change(SERVICE),
    SWITCH + "Reverse": change(SERVICE),
    SWITCH + "GetTransaction": read(SERVICE, merchant_result_field="merchant_id"),
    SWITCH + "ListTransactions": member_read(SERVICE, merchant_field="merchant_id"),
    # crm
    CRM + "CreateEvent": change(),
    CRM + "UpdateEvent": change(),
    CRM + "CancelEvent": change(),
    CRM + "GetEvent": read(SERVICE),  # members see their events through their invitations
    CRM + "ListEvents": read(SERVICE),
    CRM + "InviteAudience": change(),
    CRM + "ListInvitations": member_read(SERVICE),
    CRM + "ListAttendees": read(SERVICE),
    CRM + "Rsvp": member_change(SERVICE),  # the members' app may answer for a member
    CRM + "CancelRsvp": member_change(SERVICE),
    CRM + "GetCheckInCode": member_read(SERVICE),  # a member's own ticket
    CRM + "CheckIn": change(SERVICE),  # the door: an operator's device or the venue app
    CRM + "ListAttendance": member_read(SERVICE),
    # crm member care: a member opens (through the portal) and reads only its own interactions,
    # reads its own member view, sets its own interests and answers surveys only as itself.
    CRM + "RecordInteraction": member_change(SERVICE),
    CRM + "GetInteraction": member_read(SERVICE),
    CRM + "ListInteractions": member_read(SERVICE),
    CRM + "ChangeInteractionStatus": change(),
    CRM + "ListWorkQueue": read(),
    CRM + "GetMember360": member_read(),
    CRM + "SetInterests": member_change(SERVICE),
    CRM + "GetInterests": member_read(SERVICE),
    CRM + "CreateSurvey": change(),
    CRM + "GetSurvey": read(SERVICE),
    CRM + "SendSurvey": change(),
    CRM + "ListPendingSurveys": member_read(SERVICE),
    CRM + "AnswerSurvey": member_change(SERVICE),
    CRM + "GetSurveyResults": read(),
    # crm: announcements and notifications
    CRM + "PreviewMessage": read(),
    CRM + "Announce": change(),
    CRM + "GetAnnouncement": read(),
    CRM + "ListMessages": read(),
    CRM + "ListInbox": member_read(SERVICE),  # a member's own inbox, or the members' app for it
    CRM + "MarkRead": member_change(SERVICE),
    # crm: the member portal's sign-in: no token (the one-time code, then the join ticket, is the
    # credential; services/crm/signin.py limits how often each may be tried)
    CRM + "StartSignIn": public(),
    CRM + "VerifySignIn": public(),
    CRM + "JoinClub": public(),
    CRM + "GetMemberHome": member_read(SERVICE),
    # tasheem: merchant users and the merchant portal
    TASHEEM + "CreateMerchantUser": change(),
    TASHEEM + "ListMerchantUsers": read(),  # a user may hold several merchants: not for one of them
    TASHEEM + "UpdateMerchantUser": change(),
    TASHEEM + "ChangeMerchantPassword": public(),  # the current password (and code) is the credential; limited
    TASHEEM + "MerchantSignIn": public(),  # the password (and TOTP code) is the credential; limited
    TASHEEM + "GetMerchantDashboard": read(SERVICE, merchant_field="merchant_id"),
}


def is_open(method: str) -> bool:
    return method.startswith(OPEN_METHOD_PREFIXES)


def rule_for(method: str) -> Rule:
    return POLICY.get(method, OPERATOR_ONLY)
