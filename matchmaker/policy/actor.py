"""Who is asking (`Actor`) and what each role may do in general (capabilities). Resource rules
(`policy.catalog`, `policy.events`) build on these.

A principal is an API key ("key:12": `admin`, `organiser`, `enterprise`, `reader`, `park_staff`) or
a signed-in person ("user:7", `matchmaker.accounts`): platform admin (`admin`), organiser
(`organiser`), park staff (`park_staff` with `park_id`), organisation admin (`org_admin`) or
member (`member`) with `organisation_id`, and a person not (yet) in an organisation (`person`).
Anonymous visitors are `public`.
"""

from __future__ import annotations

from dataclasses import dataclass

ADMIN = "admin"
ORGANISER = "organiser"
ENTERPRISE = "enterprise"
READER = "reader"
PARK_STAFF = "park_staff"
ORG_ADMIN = "org_admin"  # a person administering their organisation's members
MEMBER = "member"  # a person publishing for their organisation
PERSON = "person"  # a signed-in person without an (approved) organisation
PUBLIC = "public"  # a visitor without a key or a session

# What a role may do anywhere; per-resource rules narrow it (an organiser manages only the
# events of its team, an enterprise only its organisation's needs).
CATALOG_READ = "catalog.read"  # the JSON API's catalogue, maps, chains, recommendations, search
CATALOG_MANAGE = (
    "catalog.manage"  # parks, organisations, achievements, scenarios, any need; imports
)
CATALOG_WRITE = "catalog.write"  # own needs and feedback on own items (enterprises), or any
CONTACTS = "contacts.see"  # contact details of items
EVENTS_CREATE = "events.create"  # set up an event (its creator joins its organiser team)
EVENTS_ALL = "events.all"  # every event, as if on its team
STATS_READ = "stats.read"  # park statistics and reports
SUBSCRIPTIONS_MANAGE = "subscriptions.manage"  # digest subscribers' CRUD
FEEDBACK_READ = "feedback.read"  # everyone's pair feedback
ITEMS_SUBMIT = "items.submit"  # draft and submit own organisation's items for review (people)
ITEMS_REVIEW = "items.review"  # publish or send back submitted items (park staff: their park)
MEMBERS_MANAGE = "members.manage"  # approve join requests to own organisation
ORGS_APPROVE = "organisations.approve"  # approve new organisations (park staff: their park)

CAPABILITIES: dict[str, frozenset[str]] = {
    ADMIN: frozenset(
        {
            CATALOG_READ,
            CATALOG_MANAGE,
            CATALOG_WRITE,
            CONTACTS,
            EVENTS_CREATE,
            EVENTS_ALL,
            STATS_READ,
            SUBSCRIPTIONS_MANAGE,
            FEEDBACK_READ,
            ITEMS_REVIEW,
            ORGS_APPROVE,
        }
    ),
    ORGANISER: frozenset(
        {
            CATALOG_READ,
            CATALOG_MANAGE,
            CATALOG_WRITE,
            CONTACTS,
            EVENTS_CREATE,
            STATS_READ,
            SUBSCRIPTIONS_MANAGE,
            FEEDBACK_READ,
        }
    ),
    ENTERPRISE: frozenset({CATALOG_READ, CATALOG_WRITE, CONTACTS}),
    READER: frozenset({CATALOG_READ, STATS_READ}),
    PARK_STAFF: frozenset({CATALOG_READ, STATS_READ, ITEMS_REVIEW, ORGS_APPROVE}),
    ORG_ADMIN: frozenset({CATALOG_READ, CATALOG_WRITE, ITEMS_SUBMIT, MEMBERS_MANAGE}),
    MEMBER: frozenset({CATALOG_READ, CATALOG_WRITE, ITEMS_SUBMIT}),
    PERSON: frozenset(),
    PUBLIC: frozenset(),
}
ROLES_WITH: dict[str, frozenset[str]] = {
    cap: frozenset(role for role, caps in CAPABILITIES.items() if cap in caps)
    for cap in {c for caps in CAPABILITIES.values() for c in caps}
}
# Role sets older modules name (the same facts as CAPABILITIES).
ORGANISER_ROLES = ROLES_WITH[CATALOG_MANAGE]
WRITER_ROLES = ROLES_WITH[CATALOG_WRITE]
CONTACT_ROLES = ROLES_WITH[CONTACTS]


@dataclass(frozen=True)
class Actor:
    """Who asks: a role, the organisation they act for (enterprise keys), the principal they are
    ("key:12"; None for visitors) and, for park staff, their park."""

    role: str = PUBLIC
    organisation_id: int | None = None
    principal: str | None = None
    park_id: int | None = None

    def can(self, capability: str) -> bool:
        """Whether the role grants this capability."""
        return capability in CAPABILITIES.get(self.role, frozenset())

    @property
    def anonymous(self) -> bool:
        """A visitor without a key or a session."""
        return self.role == PUBLIC

    @property
    def is_admin(self) -> bool:
        """Platform admins see and manage everything."""
        return self.role == ADMIN

    @property
    def organises(self) -> bool:
        """Admins and organisers: they see drafts and manage catalogue records."""
        return self.can(CATALOG_MANAGE)

    @property
    def writes(self) -> bool:
        """Roles that may change something (an enterprise only its own items)."""
        return self.can(CATALOG_WRITE)

    @property
    def sees_contacts(self) -> bool:
        """Whether contact details may be shown to this caller."""
        return self.can(CONTACTS)

    def reads_stats_of(self, park_id: int) -> bool:
        """Whether the caller may read a park's statistics: park staff only their own park."""
        if not self.can(STATS_READ):
            return False
        return self.role != PARK_STAFF or self.park_id == park_id

    @property
    def all_parks(self) -> bool:
        """Whether the caller's statistics cover every park (everyone with the right but staff)."""
        return self.can(STATS_READ) and self.role != PARK_STAFF

    def acts_for(self, organisation_id: int | None) -> bool:
        """Whether the caller speaks for this organisation (its own enterprise key)."""
        return self.organisation_id is not None and self.organisation_id == organisation_id


def key_principal(key_id: int) -> str:
    """The principal name of an API key."""
    return f"key:{key_id}"


def user_principal(user_id: int) -> str:
    """The principal name of a signed-in person."""
    return f"user:{user_id}"


def reviews_park(actor: Actor, park_id: int | None) -> bool:
    """Whether the actor reviews items and organisations of this park (admins: every park)."""
    if actor.is_admin:
        return True
    return actor.role == PARK_STAFF and actor.park_id is not None and actor.park_id == park_id


def key_id_of(principal: str) -> int | None:
    """The API key id of a "key:N" principal (None for any other kind)."""
    kind, _, number = principal.partition(":")
    return int(number) if kind == "key" and number.isdigit() else None


def refusal(actor: Actor) -> str:
    """The message of a role-level refusal (Chinese first)."""
    return f"角色 {actor.role} 无权执行此操作 / role {actor.role} may not do this"
