"""The company on customers' documents: set by an admin (or the environment until then), in each
language, with a logo that is an image and nothing else."""
import hashlib

import sqlalchemy as sa

from portal.company.models import CompanyProfile
from portal.company.queries import company
from portal.extensions import db

DETAILS = {"name_en": "Harbour Line Logistics Ltd.", "name_zh_hant": "港灣航運物流股份有限公司",
           "name_zh_hans": "港湾航运物流股份有限公司", "address_en": "12F, 100 Zhongshan 4th Rd, Kaohsiung",
           "address_zh_hant": "高雄市中山四路100號12樓", "address_zh_hans": "高雄市中山四路100号12楼",
           "phone": "+886 7 123 4567", "email": "cs@harbourline.example", "website": "harbourline.example"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_until_set_the_environment_speaks_and_admins_are_warned(app, as_role):
    admin, _ = as_role("admin")
    app.config.update(PORTAL_COMPANY_NAME="Env Shipping", PORTAL_CS_PHONE="+886 2 0000 0000")
    try:
        with app.app_context():
            found = company()
            assert (found.name("zh_Hant"), found.phone, found.missing) == ("Env Shipping", "+886 2 0000 0000",
                                                                         ["address_en"])
        users = admin.get("/admin/users").get_data(as_text=True)
        assert "The company's details are not complete." in users and "/admin/company" in users
        form = admin.get("/admin/company").get_data(as_text=True)
        assert 'value="Env Shipping"' in form      # the environment's values to start from
    finally:
        app.config.update(PORTAL_COMPANY_NAME="", PORTAL_CS_PHONE="")


def test_admin_sets_the_details_in_each_language(app, as_role):
    admin, _ = as_role("admin")
    response = admin.form("/admin/company", DETAILS | {"version": ""})
    assert response.status_code == 303
    with app.app_context():
        found = company()
        assert found.is_set and found.name("zh_Hans") == "港湾航运物流股份有限公司"
        assert found.address("zh_Hant") == "高雄市中山四路100號12樓" and found.name("en") == DETAILS["name_en"]
        version = db.session.scalar(sa.select(CompanyProfile.version))
    assert "not complete" not in admin.get("/admin/users").get_data(as_text=True)
    # A stale page is refused and keeps what was typed; no name at all is refused.
    stale = admin.form("/admin/company", DETAILS | {"name_en": "Changed", "version": str(version - 1)})
    assert stale.status_code == 409 and 'value="Changed"' in stale.get_data(as_text=True)
    nameless = admin.form("/admin/company", {k: "" for k in DETAILS} | {"version": str(version)})
    assert nameless.status_code == 422 and "at least one language" in nameless.get_data(as_text=True)


def test_the_logo_is_a_png_or_jpeg_served_by_its_checksum(app, as_role, client, monkeypatch):
    from portal.company import rules
    monkeypatch.setattr(rules, "LOGO_MAX_BYTES", 200)   # (a small limit: the test client spools big bodies)
    admin, _ = as_role("admin")
    admin.form("/admin/company", DETAILS | {"version": ""})
    for data, name in ((b"<svg onload=alert(1)></svg>", "logo.svg"), (b"GIF89a....", "logo.png"),
                       (PNG + b"\x00" * 200, "big.png"), (b"", "empty.png")):
        response = admin.post("/admin/company/logo", data={"csrf_token": admin.token(), "logo": (_file(data), name)},
                              content_type="multipart/form-data")
        assert response.status_code == 422, name
    response = admin.post("/admin/company/logo", data={"csrf_token": admin.token(), "logo": (_file(PNG), "logo.png")},
                          content_type="multipart/form-data")
    assert response.status_code == 303
    digest = hashlib.sha256(PNG).hexdigest()
    served = client.get(f"/company/logo/{digest}")     # no login: status pages show it
    assert served.status_code == 200 and served.mimetype == "image/png" and served.data == PNG
    assert served.headers["Cache-Control"] == "public, max-age=31536000"
    assert client.get("/company/logo/" + "f" * 64).status_code == 404
    assert client.get("/company/logo/../../etc/passwd").status_code == 404


def test_agents_do_not_set_company_details(as_role):
    agent, _ = as_role("agent")
    assert agent.get("/admin/company").status_code == 403
    assert agent.form("/admin/company", DETAILS).status_code == 403


def test_an_agents_phone_is_kept_with_the_account(app, as_role, make_user):
    admin, _ = as_role("admin")
    agent = make_user("agent", display_name="Jason Lin")
    page = admin.get(f"/admin/users/{agent.id}").get_data(as_text=True)
    version = page.split('name="version" type="hidden" value="')[1].split('"')[0] if 'name="version" type="hidden"' \
        in page else page.split('id="version" name="version" type="hidden" value="')[1].split('"')[0]
    response = admin.form(f"/admin/users/{agent.id}", {"display_name": "Jason Lin", "phone": "+886 7 123 4567 ext 21",
                                                      "role": "agent", "locale": "en", "timezone": "Asia/Taipei",
                                                      "active": "y", "version": version})
    assert response.status_code == 303
    with app.app_context():
        from portal.auth.models import User
        assert db.session.get(User, agent.id).phone == "+886 7 123 4567 ext 21"


def _file(data: bytes):
    import io
    return io.BytesIO(data)
