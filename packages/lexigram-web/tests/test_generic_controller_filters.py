"""``GenericController``: ``list_items(**filters)`` reaches the service, dicts are accepted."""

from dataclasses import dataclass
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from lexigram.web import GenericController, LexigramApp
from lexigram.web.testing import AsyncTestClient


@dataclass(frozen=True)
class Ok:
    value: Any

    def is_ok(self) -> bool:
        return True

    def unwrap(self) -> Any:
        return self.value

    def unwrap_err(self) -> Any:
        raise TypeError("unwrap_err on Ok")


class Task(BaseModel):
    id: int | None = None
    title: str
    status: str = "open"


class TaskService:
    def __init__(self) -> None:
        self.tasks = [Task(id=1, title="a"), Task(id=2, title="b", status="done")]
        self.calls: list[tuple[Any, ...]] = []

    async def list(self, limit: int, offset: int, **filters: str) -> Ok:
        self.calls.append((limit, offset, filters))
        found = [t for t in self.tasks if all(getattr(t, k) == v for k, v in filters.items())]
        return Ok((found[offset : offset + limit], len(found)))

    async def get(self, item_id: int) -> Ok:
        return Ok(self.tasks[item_id - 1])

    async def create(self, data: Task) -> Ok:
        self.calls.append(("create", data))
        return Ok(data.model_copy(update={"id": 3}))

    async def update(self, item_id: int, data: Task) -> Ok:
        self.calls.append(("update", item_id, data))
        return Ok(data.model_copy(update={"id": item_id}))

    async def delete(self, item_id: int) -> Ok:
        return Ok(None)


class TaskController(GenericController[Task]):
    prefix = "/tasks"
    id_type = int
    filter_fields = ("status",)

    def __init__(self, service: TaskService) -> None:
        super().__init__(service)


async def test_filter_fields_given_as_query_parameters_reach_the_service() -> None:
    service = TaskService()
    app = LexigramApp(controllers=[TaskController])
    app.container.singleton(TaskService, instance=service)
    async with AsyncTestClient(app) as client:
        done = await client.get("/tasks", params={"status": "done"})
        every = await client.get("/tasks")
    assert [t["title"] for t in done.json()["items"]] == ["b"]
    assert every.json()["total"] == 2
    assert service.calls == [(20, 0, {"status": "done"}), (20, 0, {})]


async def test_filter_fields_are_documented_as_optional_query_parameters() -> None:
    app = LexigramApp(controllers=[TaskController])
    app.container.singleton(TaskService)
    async with AsyncTestClient(app):
        parameters = app.openapi()["paths"]["/tasks"]["get"]["parameters"]
    status = next(p for p in parameters if p["name"] == "status")
    assert (status["in"], status["required"]) == ("query", False)


async def test_the_actions_called_directly_take_filters_and_dicts() -> None:
    service = TaskService()
    controller = TaskController(service)
    page = await controller.list_items(limit=5, offset=0, status="open")
    created = await controller.create_item({"title": "c"})
    updated = await controller.update_item(2, {"title": "b2", "status": "done"})
    assert [t.title for t in page["items"]] == ["a"]
    assert (created.id, created.title) == (3, "c")
    assert (updated.unwrap().id, updated.unwrap().title) == (2, "b2")
    assert service.calls[1:] == [
        ("create", Task(title="c")),
        ("update", 2, Task(title="b2", status="done")),
    ]


async def test_a_dict_that_does_not_fit_the_model_is_a_validation_error() -> None:
    with pytest.raises(ValidationError):
        await TaskController(TaskService()).create_item({"status": "no title"})


async def test_a_still_generic_controller_has_the_actions_too() -> None:
    class Base(GenericController[Any]):
        pass

    service = TaskService()
    base: Any = Base(service)
    assert (await base.list_items(10, 0, status="done"))["total"] == 1
    assert (await base.get_item(1)).unwrap().title == "a"
    assert (await base.delete_item(1)) is None


def test_a_filter_field_named_like_a_page_parameter_is_refused() -> None:
    with pytest.raises(TypeError, match="other than limit and offset"):

        class Broken(GenericController[Task]):
            filter_fields = ("limit",)


class PlainTaskService(TaskService):
    async def list(self, limit: int, offset: int) -> Ok:  # type: ignore[override]
        return Ok((self.tasks, len(self.tasks)))


def test_filter_fields_the_annotated_service_cannot_take_are_refused_at_class_creation() -> None:
    with pytest.raises(TypeError, match=r"'status', which PlainTaskService\.list does not take"):

        class Broken(GenericController[Task]):
            filter_fields = ("status",)

            def __init__(self, service: PlainTaskService) -> None:
                super().__init__(service)


class LooseController(GenericController[Task]):
    prefix = "/tasks"
    filter_fields = ("status",)

    def __init__(self, service: "LateService") -> None:  # defined below: checked at startup
        super().__init__(service)


class LateService(PlainTaskService):
    pass


async def test_filter_fields_an_injected_service_cannot_take_are_refused_at_startup() -> None:
    app = LexigramApp(controllers=[LooseController])
    app.container.singleton(LateService, instance=LateService())
    with pytest.raises(TypeError, match=r"LateService\.list does not take"):
        async with AsyncTestClient(app):
            pass


def test_filter_fields_with_a_service_taking_keywords_are_accepted() -> None:
    class KeywordService(TaskService):
        async def list(self, limit: int, offset: int, *, status: str | None = None) -> Ok:  # type: ignore[override]
            return Ok(([], 0))

    class Fine(GenericController[Task]):
        filter_fields = ("status",)

        def __init__(self, service: KeywordService) -> None:
            super().__init__(service)

    assert Fine.filter_fields == ("status",)
