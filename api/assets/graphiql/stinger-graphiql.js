// Starts GraphiQL against this server: queries and mutations over HTTP at /graphql,
// subscriptions (`editEvents`) over a WebSocket at the same path (graphql-transport-ws).
(function () {
  'use strict';

  var endpoint = new URL('/graphql', window.location.href);
  var socket = new URL(endpoint.toString());
  socket.protocol = endpoint.protocol === 'https:' ? 'wss:' : 'ws:';

  // The headers typed in GraphiQL's "Headers" tab, as GraphiQL saved them.
  function savedHeaders() {
    try {
      var headers = JSON.parse(window.localStorage.getItem('graphiql:headers') || '{}');
      return headers && typeof headers === 'object' ? headers : {};
    } catch (e) {
      return {};
    }
  }

  var fetcher = GraphiQL.createFetcher({
    url: endpoint.toString(),
    subscriptionUrl: socket.toString(),
    // A WebSocket carries no headers: the access token goes in `connection_init`, read when
    // a subscription opens the connection, so a token typed in the Headers tab is used.
    wsConnectionParams: function () {
      var headers = savedHeaders();
      var authorization = headers.Authorization || headers.authorization;
      return authorization ? { Authorization: authorization } : {};
    },
  });

  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolsVisibility: true,
    })
  );
})();
