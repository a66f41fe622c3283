# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Graph types the emulator serves, per version (v1.0 and beta), and the checks a request body
goes through before it reaches the store.

Sources (see README.md, "Rules"): the v1.0 CSDL and beta metadata extracts in ../shared/graph/raw,
the resource pages of crossTenantIdentitySyncPolicyPartner and crossTenantAccessPolicyConfigurationPartner,
and msgraph-beta-sdk 1.66 for roleEnabledGroupSyncInbound (in the beta metadata, not yet on a page).

Stored objects always hold every beta property; a response leaves out what its version does not have."""

import copy
import datetime
import re

from .wire import graph_time

V1 = "v1.0"
BETA = "beta"
VERSIONS = (V1, BETA)
BOTH = VERSIONS
BETA_ONLY = (BETA,)

GUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
# Edm.DateTimeOffset as Graph's OpenAPI constrains it: an offset or 'Z' is required.
DATETIME_RE = re.compile(
    r"^(?P<date>[0-9]{4,}-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01]))T(?P<h>[01][0-9]|2[0-3]):(?P<m>[0-5][0-9]):(?P<s>[0-5][0-9])"
    r"(?:[.](?P<frac>[0-9]{1,12}))?(?P<tz>Z|[+-][0-9][0-9]:[0-9][0-9])$"
)


class SchemaError(Exception):
    """A body that does not fit the type. Turned into a Graph error by the service."""

    def __init__(self, status, code, message):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def invalid_property(name):
    # The directory's answer to a property name the type does not have in this version, in this exact
    # casing (M365DSC #6065/#7272, msgraph-sdk-powershell #3320: "[Request_BadRequest] : Invalid property
    # 'b2BCollaborationInbound'").
    return SchemaError(400, "Request_BadRequest", "Invalid property '%s'." % name)


def invalid_value(name, type_name):
    # The directory's wording for a value that does not fit a property (assumption for these types).
    return SchemaError(400, "Request_BadRequest", "Invalid value specified for property '%s' of resource '%s'." % (name, type_name))


# ---- types ------------------------------------------------------------------------------------

class Primitive:
    def __init__(self, name):
        self.name = name

    def check(self, value, prop, owner, version):
        if self.name == "Edm.Boolean":
            ok = isinstance(value, bool)
        else:
            ok = isinstance(value, str)
        if not ok:
            raise invalid_value(prop.name, owner)
        if self.name == "Edm.DateTimeOffset":
            return parse_datetime(value, prop.name, owner)
        return value


class Enum:
    def __init__(self, name, members):
        self.name = name
        self.members = tuple(members)

    def check(self, value, prop, owner, version):
        if not isinstance(value, str) or value not in self.members:
            raise invalid_value(prop.name, owner)
        return value


class Prop:
    def __init__(self, name, type_, nullable=True, versions=BOTH, computed=False, default=None, answer_only=False):
        self.name = name
        self.type = type_
        self.nullable = nullable
        self.versions = versions
        # Computed (read-only) properties are validated and then ignored on writes (OData 4.01 Part 1, 11.4.2 and 11.4.3).
        self.computed = computed
        self.default = default
        # In Graph's answers but not in its metadata: a write carrying it gets "Invalid property"; seeds may hold it.
        self.answer_only = answer_only


class OpenObject:
    """A complex value whose members no source here lists (the v1.0 metadata names the property, its type's
    members were not read): any JSON object, kept as sent."""

    name = "Edm.Untyped"

    def check(self, value, prop, owner, version):
        if not isinstance(value, dict):
            raise invalid_value(prop.name, owner)
        return copy.deepcopy(value)


class Collection:
    def __init__(self, item):
        self.item = item
        self.name = "Collection(%s)" % item.name

    def check(self, value, prop, owner, version):
        if not isinstance(value, list):
            raise invalid_value(prop.name, owner)
        return [self.item.check_value(item, prop, owner, version) for item in value]


class Complex:
    """A complex type; `base` lists the derived types an @odata.type in the body may name."""

    def __init__(self, name, props, aliases=()):
        self.name = name
        self.props = {p.name: p for p in props}
        self.order = [p.name for p in props]
        self.accepted_types = {("microsoft.graph." + n).lower() for n in (name,) + tuple(aliases)}

    def check_value(self, value, prop, owner, version):
        """A value of this type inside a collection or property: a JSON object with known names."""
        if not isinstance(value, dict):
            raise invalid_value(prop.name, owner)
        return self.parse(value, version, partial=False)

    def check(self, value, prop, owner, version):
        return self.check_value(value, prop, owner, version)

    def parse(self, value, version, partial, seeding=False):
        """The properties the object carries, checked. partial=False completes the rest with defaults.
        seeding: the control API's store, which may also hold what only Graph's answers show."""
        given = {}
        for key, item in value.items():
            if key == "@odata.type":
                check_odata_type(item, self.accepted_types, self.name)
                continue
            if "@" in key:
                # Instance and property annotations (e.g. "isSyncAllowed@odata.type") are not properties.
                continue
            prop = self.props.get(key)
            if prop is None and seeding and not isinstance(self, Entity):
                # A member of a complex value no source lists: it stands for one a newer Graph returns. Kept
                # as seeded and returned; a write carrying it is refused as any unknown property.
                given[key] = copy.deepcopy(item)
                continue
            if prop is None or version not in prop.versions or (prop.answer_only and not seeding):
                raise invalid_property(key)
            if seeding and isinstance(prop.type, Complex) and isinstance(item, dict):
                given[key] = prop.type.parse(item, version, partial=False, seeding=True)
            else:
                given[key] = check_prop(prop, item, self.name, version)
        return given if partial else self.complete(given)

    def complete(self, given):
        full = {}
        for name in self.order:
            prop = self.props[name]
            full[name] = copy.deepcopy(given[name]) if name in given else blank_value(prop)
        full.update((name, copy.deepcopy(value)) for name, value in given.items() if name not in self.props)
        return full

    def render(self, value, version):
        if value is None:
            return None
        rendered = {name: render_value(self.props[name], value.get(name), version)
                    for name in self.order if version in self.props[name].versions
                    and not (self.props[name].answer_only and value.get(name) is None)}
        # Seeded members no source lists (see parse) are returned as they are, in every version.
        rendered.update((name, copy.deepcopy(member)) for name, member in value.items() if name not in self.props)
        return rendered


class Entity(Complex):
    def __init__(self, name, props, key, path_name):
        super().__init__(name, props)
        self.key = key
        self.path_name = path_name

    def blank(self, key_value):
        obj = self.complete({})
        obj[self.key] = key_value
        return obj

    def property_names(self, version):
        return [name for name in self.order if version in self.props[name].versions]


def check_prop(prop, value, owner, version):
    if value is None:
        if not prop.nullable:
            raise invalid_value(prop.name, owner)
        return None
    return prop.type.check(value, prop, owner, version)


def blank_value(prop):
    if isinstance(prop.type, Collection):
        return []
    if prop.default is not None:
        return copy.deepcopy(prop.default)
    return None


def render_value(prop, value, version):
    if isinstance(prop.type, Complex):
        return prop.type.render(value, version)
    if isinstance(prop.type, Collection) and isinstance(prop.type.item, Complex):
        return [prop.type.item.render(item, version) for item in (value or [])]
    return copy.deepcopy(value)


def check_odata_type(value, accepted, expected):
    # The documented create example writes "microsoft.graph.x" without the '#' that OData wants; accept both.
    if not isinstance(value, str) or value.lstrip("#").lower() not in accepted:
        raise SchemaError(400, "BadRequest", (
            "A resource of type '%s' was found in the request, but a resource of type 'microsoft.graph.%s' was expected."
            % (value, expected)))


def parse_datetime(value, name="deletedDateTime", owner=None):
    """Validate an ISO 8601 DateTimeOffset and return Graph's UTC serialisation of it."""
    match = DATETIME_RE.match(value) if isinstance(value, str) else None
    if not match:
        raise invalid_value(name, owner or "policyDeletableItem")
    frac = (match.group("frac") or "")[:6].ljust(6, "0")
    tz = match.group("tz")
    try:
        offset = datetime.timezone.utc if tz == "Z" else datetime.timezone(
            (1 if tz[0] == "+" else -1) * datetime.timedelta(hours=int(tz[1:3]), minutes=int(tz[4:6])))
        moment = datetime.datetime.strptime(
            "%sT%s:%s:%s" % (match.group("date"), match.group("h"), match.group("m"), match.group("s")), "%Y-%m-%dT%H:%M:%S"
        ).replace(microsecond=int(frac), tzinfo=offset)
    except ValueError:
        raise invalid_value(name, owner or "policyDeletableItem")
    return graph_time(moment)


def merge(ctype, current, update):
    """PATCH: OData 4.01 Part 1 11.4.3 (clarified by ODATA-1472): primitive and collection values replace,
    complex values are patched recursively, properties left out keep their values; null replaces."""
    result = copy.deepcopy(current)
    for key, value in update.items():
        prop = ctype.props[key]
        if isinstance(prop.type, Complex) and isinstance(value, dict):
            base = result.get(key)
            if not isinstance(base, dict):
                base = prop.type.complete({})
            result[key] = merge(prop.type, base, value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def parse_patch(ctype, value, version):
    """A PATCH body: nested complex values are kept partial so that merge() patches them."""
    given = {}
    for key, item in value.items():
        if key == "@odata.type":
            check_odata_type(item, ctype.accepted_types, ctype.name)
            continue
        if "@" in key:
            continue
        prop = ctype.props.get(key)
        if prop is None or version not in prop.versions or prop.answer_only:
            raise invalid_property(key)
        if isinstance(prop.type, Complex) and isinstance(item, dict):
            given[key] = parse_patch(prop.type, item, version)
        else:
            given[key] = check_prop(prop, item, ctype.name, version)
    return given


# ---- the types served -----------------------------------------------------------------------

BOOL = Primitive("Edm.Boolean")
STRING = Primitive("Edm.String")
DATETIME = Primitive("Edm.DateTimeOffset")

# crossTenantUserSyncInbound.isSyncAllowed is nullable; crossTenantGroupSyncInbound.isSyncAllowed is not (CSDL).
USER_SYNC = Complex("crossTenantUserSyncInbound", [Prop("isSyncAllowed", BOOL)])
GROUP_SYNC = Complex("crossTenantGroupSyncInbound", [Prop("isSyncAllowed", BOOL, nullable=False, default=False)])
# In msgraph-beta-sdk 1.66 (beta metadata), not on a reference page yet; nullability not published: nullable assumed.
ROLE_GROUP_SYNC = Complex("crossTenantRoleEnabledGroupSyncInbound", [Prop("isSyncAllowed", BOOL)])

SYNC_POLICY = Entity("crossTenantIdentitySyncPolicyPartner", [
    Prop("tenantId", STRING, nullable=False),
    Prop("displayName", STRING),
    Prop("deletedDateTime", DATETIME, versions=BETA_ONLY),
    Prop("externalCloudAuthorizedApplicationId", STRING, versions=BETA_ONLY),
    Prop("userSyncInbound", USER_SYNC),
    Prop("groupSyncInbound", GROUP_SYNC, versions=BETA_ONLY),
    Prop("roleEnabledGroupSyncInbound", ROLE_GROUP_SYNC, versions=BETA_ONLY),
], key="tenantId", path_name="identitySynchronization")

ACCESS_TYPE = Enum("crossTenantAccessPolicyTargetConfigurationAccessType", ("allowed", "blocked", "unknownFutureValue"))
TARGET_TYPE = Enum("crossTenantAccessPolicyTargetType", ("user", "group", "application", "unknownFutureValue"))


class Target(Complex):
    """crossTenantAccessPolicyTarget: the reference page lists what `target` may be per targetType: the id of the
    user, group or application; AllUsers; for applications AllApplications, and the reserved AllMicrosoftApps and
    Office365. Graph answers anything else "Found invalid target" (its full wording and code: assumption)."""

    KEYWORDS = {"user": ("AllUsers",), "group": ("AllUsers",),
                "application": ("AllApplications", "AllMicrosoftApps", "Office365")}

    def parse(self, value, version, partial, seeding=False):
        given = super().parse(value, version, partial, seeding)
        target, kind = given.get("target"), given.get("targetType")
        if isinstance(target, str) and kind in self.KEYWORDS and not GUID_RE.match(target) and target not in self.KEYWORDS[kind]:
            raise SchemaError(400, "Request_BadRequest", "Found invalid target '%s' for targetType '%s'." % (target, kind))
        return given


TARGET = Target("crossTenantAccessPolicyTarget", [Prop("target", STRING), Prop("targetType", TARGET_TYPE)])
TARGET_CONFIGURATION = Complex("crossTenantAccessPolicyTargetConfiguration", [
    Prop("accessType", ACCESS_TYPE), Prop("targets", Collection(TARGET), nullable=False),
])
B2B_SETTING = Complex("crossTenantAccessPolicyB2BSetting", [
    Prop("usersAndGroups", TARGET_CONFIGURATION), Prop("applications", TARGET_CONFIGURATION),
])
DEVICES_FILTER = Complex("devicesFilter", [Prop("mode", ACCESS_TYPE), Prop("rule", STRING)])
TENANT_RESTRICTIONS = Complex("crossTenantAccessPolicyTenantRestrictions", [
    Prop("usersAndGroups", TARGET_CONFIGURATION), Prop("applications", TARGET_CONFIGURATION), Prop("devices", DEVICES_FILTER),
])
INBOUND_TRUST = Complex("crossTenantAccessPolicyInboundTrust", [
    Prop("isMfaAccepted", BOOL), Prop("isCompliantDeviceAccepted", BOOL), Prop("isHybridAzureADJoinedDeviceAccepted", BOOL),
])
IN_OUT = Complex("inboundOutboundPolicyConfiguration", [Prop("inboundAllowed", BOOL), Prop("outboundAllowed", BOOL)])
OPEN = OpenObject()

PARTNER = Entity("crossTenantAccessPolicyConfigurationPartner", [
    Prop("tenantId", STRING, nullable=False),
    Prop("deletedDateTime", DATETIME, versions=BETA_ONLY),
    Prop("isServiceProvider", BOOL),
    Prop("isInMultiTenantOrganization", BOOL, computed=True, default=False),
    Prop("blockServiceProviderOutboundAccess", BOOL, versions=BETA_ONLY),
    Prop("inboundTrust", INBOUND_TRUST),
    Prop("b2bCollaborationOutbound", B2B_SETTING),
    Prop("b2bCollaborationInbound", B2B_SETTING),
    Prop("b2bDirectConnectOutbound", B2B_SETTING),
    Prop("b2bDirectConnectInbound", B2B_SETTING),
    Prop("tenantRestrictions", TENANT_RESTRICTIONS),
    Prop("automaticUserConsentSettings", IN_OUT),
    # Newer properties of the v1.0 metadata (msgraph-metadata type mappings; CROSS_TENANT_SYNC.md 3.1); their
    # members are not modelled.
    Prop("appServiceConnectInbound", OPEN),
    Prop("m365CollaborationInbound", OPEN),
    Prop("m365CollaborationOutbound", OPEN),
    # In documented answers (v1.0 POST response, beta restore response; CROSS_TENANT_SYNC.md 3.1), not in the
    # metadata: returned when they hold a value (seeded: no source gives a new partner's values), never accepted
    # in a write.
    Prop("crossCloudMeetingConfiguration", IN_OUT, answer_only=True),
    Prop("protectedContentSharing", IN_OUT, answer_only=True),
    Prop("invitationRedemptionIdentityProviderConfiguration", OPEN, versions=BETA_ONLY, answer_only=True),
], key="tenantId", path_name="partners")


def blank_partner(tenant_id):
    """A partner as POST creates it from {"tenantId": ...}: the documented restore response shows
    isInMultiTenantOrganization false and automaticUserConsentSettings with both values null."""
    obj = PARTNER.blank(tenant_id)
    obj["automaticUserConsentSettings"] = IN_OUT.complete({})
    return obj


def now_text():
    return graph_time(datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0))
