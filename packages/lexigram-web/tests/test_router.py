"""The path router: static dict, typed segment trie, 404/405 answers, conflicts, flat lookups."""

import uuid

import pytest

from lexigram.web import RouteConflictError, Router
from lexigram.web._routing._converters import IntConverter


def test_static_path_matches_its_method() -> None:
    router: Router[str] = Router()
    router.add("GET", "/users", "list")
    assert router.lookup("GET", "/users") == ("list", {}, ())


def test_int_converter_yields_an_int() -> None:
    router: Router[str] = Router()
    router.add("GET", "/users/{id:int}", "one")
    assert router.lookup("GET", "/users/42") == ("one", {"id": 42}, ())


def test_int_converter_rejects_non_digits_as_unknown_path() -> None:
    router: Router[str] = Router()
    router.add("GET", "/users/{id:int}", "one")
    assert router.lookup("GET", "/users/abc") == (None, {}, ())


def test_uuid_converter_yields_a_uuid() -> None:
    router: Router[str] = Router()
    router.add("GET", "/items/{key:uuid}", "item")
    key = uuid.uuid4()
    endpoint, params, _ = router.lookup("GET", f"/items/{key}")
    assert endpoint == "item"
    assert params == {"key": key}


def test_float_converter_yields_a_float() -> None:
    router: Router[str] = Router()
    router.add("GET", "/price/{amount:float}", "price")
    assert router.lookup("GET", "/price/2.5")[1] == {"amount": 2.5}


def test_path_converter_takes_the_rest_of_the_path() -> None:
    router: Router[str] = Router()
    router.add("GET", "/files/{rest:path}", "files")
    assert router.lookup("GET", "/files/a/b/c.txt")[1] == {"rest": "a/b/c.txt"}


def test_str_parameter_takes_one_segment() -> None:
    router: Router[str] = Router()
    router.add("GET", "/users/{name}", "by-name")
    assert router.lookup("GET", "/users/bob/extra")[0] is None
    assert router.lookup("GET", "/users/bob")[1] == {"name": "bob"}


def test_static_segment_wins_over_a_parameter() -> None:
    router: Router[str] = Router()
    router.add("GET", "/users/{name}", "by-name")
    router.add("GET", "/users/me", "me")
    assert router.lookup("GET", "/users/me")[0] == "me"
    assert router.lookup("GET", "/users/you")[0] == "by-name"


def test_typed_parameter_is_tried_before_str() -> None:
    router: Router[str] = Router()
    router.add("GET", "/a/{name}", "str")
    router.add("GET", "/a/{id:int}", "int")
    assert router.lookup("GET", "/a/7")[0] == "int"
    assert router.lookup("GET", "/a/x")[0] == "str"


def test_backtracks_to_a_route_accepting_the_method() -> None:
    router: Router[str] = Router()
    router.add("GET", "/items/{id:int}", "get")
    router.add("DELETE", "/items/{name}", "delete")
    assert router.lookup("DELETE", "/items/5") == ("delete", {"name": "5"}, ())


def test_routes_sharing_a_prefix_keep_their_own_parameter_names() -> None:
    router: Router[str] = Router()
    router.add("GET", "/a/{x}/b", "b")
    router.add("GET", "/a/{y}/c", "c")
    assert router.lookup("GET", "/a/1/b")[1] == {"x": "1"}
    assert router.lookup("GET", "/a/1/c")[1] == {"y": "1"}


def test_wrong_method_lists_the_allowed_ones() -> None:
    router: Router[str] = Router()
    router.add("GET", "/users/{id:int}", "get")
    router.add("PUT", "/users/{id:int}", "put")
    assert router.lookup("POST", "/users/1") == (None, {}, ("GET", "PUT"))


def test_wrong_method_on_a_static_path_lists_the_allowed_ones() -> None:
    router: Router[str] = Router()
    router.add("GET", "/health", "health")
    assert router.lookup("POST", "/health") == (None, {}, ("GET",))


def test_duplicate_route_raises() -> None:
    router: Router[str] = Router()
    router.add("GET", "/users/{id:int}", "a")
    with pytest.raises(RouteConflictError, match="duplicate route GET"):
        router.add("GET", "/users/{uid:int}", "b")


def test_duplicate_route_last_wins_when_conflicts_are_allowed() -> None:
    router: Router[str] = Router(fail_on_conflict=False)
    router.add("GET", "/users", "a")
    router.add("GET", "/users", "b")
    assert router.lookup("GET", "/users")[0] == "b"


def test_same_path_with_other_converter_is_not_a_conflict() -> None:
    router: Router[str] = Router()
    router.add("GET", "/a/{id:int}", "int")
    router.add("GET", "/a/{name}", "str")
    assert router.lookup("GET", "/a/x")[0] == "str"


def test_lookup_work_does_not_grow_with_the_number_of_routes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = 0
    original = IntConverter.convert

    def counting(self: IntConverter, segment: str) -> object:
        nonlocal calls
        calls += 1
        return original(self, segment)

    monkeypatch.setattr(IntConverter, "convert", counting)
    counts = []
    for size in (10, 10_000):
        router: Router[int] = Router()
        for i in range(size):
            router.add("GET", f"/r{i}/{{id:int}}", i)
        calls = 0
        assert router.lookup("GET", f"/r{size - 1}/5") == (size - 1, {"id": 5}, ())
        counts.append(calls)
    assert counts == [1, 1]


def test_trailing_slash_falls_back_to_the_path_without_it() -> None:
    router: Router[str] = Router()
    router.add("GET", "/users", "list")
    router.add("GET", "/users/{id:int}", "one")
    assert router.lookup("GET", "/users/")[0] == "list"
    assert router.lookup("GET", "/users/5/") == ("one", {"id": 5}, ())


def test_a_literal_segment_leading_nowhere_falls_back_to_a_parameter() -> None:
    router: Router[str] = Router()
    router.add("GET", "/users/me/posts", "my posts")
    router.add("GET", "/users/{name}/friends", "friends")
    router.add("GET", "/files/{id:int}/meta", "meta")
    router.add("GET", "/files/{rest:path}", "file")
    assert router.lookup("GET", "/users/me/friends") == ("friends", {"name": "me"}, ())
    assert router.lookup("GET", "/users/me/posts") == ("my posts", {}, ())
    assert router.lookup("GET", "/files/7/meta") == ("meta", {"id": 7}, ())
    assert router.lookup("GET", "/files/7/raw") == ("file", {"rest": "7/raw"}, ())
    assert router.lookup("POST", "/users/me/friends") == (None, {}, ("GET",))


def test_match_answers_what_lookup_finds_without_backtracking_and_none_otherwise() -> None:
    router: Router[str] = Router()
    router.add("GET", "/users", "list")
    router.add("GET", "/users/{id:int}", "one")
    router.add("GET", "/users/{name}/posts", "posts")
    router.add("GET", "/files/{rest:path}", "files")
    assert router.match("GET", "/users") == ("list", {})
    assert router.match("GET", "/users/7") == ("one", {"id": 7})
    assert router.match("GET", "/users/bob/posts") == ("posts", {"name": "bob"})
    # found by lookup only: backtracking ("7" takes the int branch first), a catch-all,
    # a trailing slash, another method, a path that is not ASCII
    assert router.match("GET", "/users/7/posts") is None
    assert router.lookup("GET", "/users/7/posts") == ("posts", {"name": "7"}, ())
    assert router.match("GET", "/files/a/b") is None
    assert router.match("GET", "/users/") is None
    assert router.match("POST", "/users") is None
    assert router.match("GET", "/users/zoë/posts") is None
    assert router.lookup("GET", "/users/zoë/posts") == ("posts", {"name": "zoë"}, ())
