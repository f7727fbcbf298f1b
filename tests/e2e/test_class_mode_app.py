"""Class mode in three browsers: a teacher and two students (the real app in Chromium).

The teacher starts a class, two students open the join link (one with a nickname), the
teacher steps and the students' steppers follow; the teacher asks for the next output value,
the students answer (one right, one wrong), the teacher sees both answers arrive and
reveals; the students see the arithmetic and their verdict. Then the teacher closes the tab
and opens the studio again in the same browser: it leads again (the stepper kept the lead
secret), and the shared link never holds it. Screenshots: test-artifacts/class-*.png.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from scripts.stepper_dom import step_of

pytestmark = pytest.mark.e2e
VIEWPORT = {"width": 1300, "height": 1400}


def _page(context, st_wait_idle, url: str):
    page = context.new_page()
    page.set_viewport_size(VIEWPORT)
    page.set_default_timeout(30_000)
    page.goto(url)
    st_wait_idle(page)
    return page


def _wait_step(page, step: int) -> None:
    page.wait_for_function(
        """(want) => {
          for (const h of document.querySelectorAll('[data-testid="stBidiComponentIsolated"]')) {
            const el = h.shadowRoot && h.shadowRoot.querySelector('.stp');
            if (el && el.dataset.step === String(want)) return true;
          }
          return false;
        }""",
        arg=step,
        timeout=15_000,
    )


def test_teacher_and_two_students(browser, app_url, st_wait_idle, artifacts_dir):
    teacher_ctx = browser.new_context()
    amy_ctx, bo_ctx = browser.new_context(), browser.new_context()
    try:
        teacher = _page(teacher_ctx, st_wait_idle, f"{app_url}/studio")
        teacher.locator('[data-testid="stExpander"] summary', has_text="Class mode").click()
        teacher.locator(".st-key-class-start button").click()
        link = teacher.locator('[data-testid="stCode"]', has_text="join=").first
        expect(link).to_be_visible()
        join_url = link.text_content().strip()
        code = join_url.rsplit("join=", 1)[1][:6]
        expect(teacher.get_by_text(f"Class code: {code}")).to_be_visible()
        teacher.wait_for_selector('.stp[data-ready="1"]')
        secret = teacher.evaluate(f"() => localStorage.getItem('convlab.lead.{code}')")
        assert secret and "secret" in secret, "the teacher's browser keeps the lead secret"
        assert "secret" not in join_url and len(join_url.split("?", 1)[1]) == len("join=") + 6

        students = []
        for ctx, nick in ((amy_ctx, "amy"), (bo_ctx, "")):
            page = _page(ctx, st_wait_idle, f"{app_url}/studio?join={code}")
            if nick:
                page.locator(".st-key-class-join_nick input").fill(nick)
            page.locator(".st-key-class-join button").click()
            expect(page.get_by_text(f"Following class {code}")).to_be_visible()
            page.wait_for_selector('.stp[data-ready="1"]')
            held = page.evaluate("() => Object.keys(localStorage).filter(k => k.includes('lead'))")
            assert held == [], "a student's browser holds no lead secret"
            students.append(page)
        amy, bo = students

        # Step: the teacher's Next reaches both students.
        for _ in range(3):
            teacher.locator(".stp-next").click()
        assert step_of(teacher) == 3
        for page in students:
            _wait_step(page, 3)
        teacher.screenshot(path=artifacts_dir / "class-1-teacher.png")
        amy.screenshot(path=artifacts_dir / "class-1-student.png")

        # Ask the next output value: hidden for everyone, the students answer.
        teacher.locator(".st-key-class-ask_value button").click()
        expect(teacher.get_by_text("What is the output value at step 5?")).to_be_visible()
        _wait_step(teacher, 4)
        expect(teacher.locator(".stp-arith")).to_contain_text("?")
        for page in students:
            _wait_step(page, 4)
            expect(page.get_by_text("What is the output value at step 5?")).to_be_visible()
            expect(page.locator(".stp-arith")).to_contain_text("?")
        # The lecture's 6x6 feature map: step 5 (0-based 4) computes 1 (conv_core's trace).
        answers = {amy: "1", bo: "999"}
        for page, typed in answers.items():
            box = page.locator(".st-key-class-answer_box")
            box.locator("input").fill(typed)
            box.get_by_role("button", name="Send").click()
            expect(box.get_by_text(f"Your answer: {typed}")).to_be_visible()
        expect(teacher.get_by_text("Answered: 2 of 2.")).to_be_visible(timeout=15_000)
        expect(teacher.locator(".st-key-class-histogram")).to_be_visible()
        teacher.screenshot(path=artifacts_dir / "class-2-answers.png")

        # Reveal: the arithmetic and each student's own verdict.
        teacher.locator(".st-key-class-reveal button").click()
        expect(teacher.get_by_text("Right: 50% (1).")).to_be_visible()
        expect(amy.get_by_text("The answer is 1: you answered 1, right!")).to_be_visible()
        expect(bo.get_by_text("The answer is 1: you answered 999.")).to_be_visible()
        for page in (teacher, *students):
            expect(page.locator(".stp-arith")).not_to_contain_text("?")
        assert "999" not in amy.locator('[data-testid="stMainBlockContainer"]').inner_text()
        amy.screenshot(path=artifacts_dir / "class-3-revealed.png")

        # The teacher closes the tab and opens the studio again: leading resumes.
        teacher.close()
        again = _page(teacher_ctx, st_wait_idle, f"{app_url}/studio")
        expect(again.get_by_text(f"You lead class {code} again")).to_be_visible(timeout=20_000)
        again.wait_for_selector('.stp[data-ready="1"]')
        again.locator(".stp-next").click()
        for page in students:
            _wait_step(page, step_of(again))
    finally:
        for ctx in (teacher_ctx, amy_ctx, bo_ctx):
            ctx.close()
