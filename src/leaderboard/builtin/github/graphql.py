"""The GraphQL documents of ECO-41, ECO-43 and NEW-30, verbatim (the fake server and the request
log tests compare them as sent)."""

from __future__ import annotations

ISSUES = """query ($owner: String!, $repo: String!, $cursor: String, $pageSize: Int!) {
  repository(owner: $owner, name: $repo) {
    issues(first: $pageSize, after: $cursor, orderBy: {field: UPDATED_AT, direction: DESC}) {
      pageInfo { hasNextPage endCursor }
      nodes {
        number title url createdAt updatedAt closed closedAt
        author { __typename login }
        timelineItems(itemTypes: [ASSIGNED_EVENT, CLOSED_EVENT], first: 50) {
          nodes {
            __typename
            ... on AssignedEvent { createdAt assignee { __typename ... on User { login } ... on Bot { login } ... on Mannequin { login } } }
            ... on ClosedEvent { createdAt actor { __typename login } }
          }
        }
      }
    }
  }
}"""

PULL_REQUESTS = """query ($owner: String!, $repo: String!, $cursor: String, $pageSize: Int!, $reviewCount: Int!) {
  repository(owner: $owner, name: $repo) {
    pullRequests(first: $pageSize, after: $cursor, orderBy: {field: UPDATED_AT, direction: DESC}) {
      pageInfo { hasNextPage endCursor }
      nodes {
        number title url createdAt updatedAt mergedAt
        author { __typename login }
        mergedBy { __typename login }
        reviews(first: $reviewCount) {
          nodes {
            id state submittedAt url
            author { __typename login }
            comments(first: 10) { nodes { id replyTo { id } } }
          }
        }
      }
    }
  }
}"""

DISCUSSIONS = """query ($owner: String!, $repo: String!, $cursor: String, $pageSize: Int!) {
  repository(owner: $owner, name: $repo) {
    discussions(first: $pageSize, after: $cursor, orderBy: {field: UPDATED_AT, direction: DESC}) {
      pageInfo { hasNextPage endCursor }
      nodes { number title url createdAt updatedAt author { __typename login }
              answer { createdAt url author { __typename login } } }
    }
  }
}"""

PAGE_SIZES: tuple[int, ...] = (50, 25, 10)
